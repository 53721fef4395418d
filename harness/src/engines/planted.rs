//! An engine with a planted bug: the engines another factory starts, each wrapped by a
//! function that spoils some of its answers. The suite's own tests use it to show that a case
//! fails against an engine that breaks its clause; a port author can plant a bug the same way.

use std::fmt::Debug;

use caspian_conformance::contract::{Engine, EngineFactory, Feature, LocalFuture, Session, StartError};

/// The engines of `inner`, each wrapped by `wrap` when a bug is planted (`bug: Some`), as
/// started otherwise.
pub struct Planted<F, B> {
    inner: F,
    bug: Option<B>,
    wrap: fn(Box<dyn Engine>, B) -> Box<dyn Engine>,
}

impl<F: EngineFactory, B: Copy + Debug> Planted<F, B> {
    pub fn new(inner: F, bug: Option<B>, wrap: fn(Box<dyn Engine>, B) -> Box<dyn Engine>) -> Self {
        Self { inner, bug, wrap }
    }
}

impl<F: EngineFactory, B: Copy + Debug> EngineFactory for Planted<F, B> {
    fn name(&self) -> String {
        match self.bug {
            None => self.inner.name(),
            Some(bug) => format!("{} with {bug:?}", self.inner.name()),
        }
    }

    fn features(&self) -> Vec<Feature> {
        self.inner.features()
    }

    fn start(&self, session: Session) -> LocalFuture<'_, Result<Box<dyn Engine>, StartError>> {
        Box::pin(async move {
            let engine = self.inner.start(session).await?;
            Ok(match self.bug {
                None => engine,
                Some(bug) => (self.wrap)(engine, bug),
            })
        })
    }
}
