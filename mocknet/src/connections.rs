//! The TCP connections between a mock network's client and its services, numbered from 0 per
//! `host:port` in the order they open, so that a fault can reset one of them, or every one
//! between two hosts, at both ends and in either world (turmoil cannot reset a connection from
//! outside, and a relay's cut reaches every connection of a link). Both ends record how they
//! ended: closed, or reset.

use std::collections::{HashMap, HashSet};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use caspian_reference::transport::BoxedStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::transcript::Transcript;

/// A service and one of its connections: host, port, number.
type Key = (String, u16, usize);

/// The run's connections. Cloning shares the same table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Connections {
    table: Arc<Mutex<Table>>,
}

#[derive(Debug, Default)]
struct Table {
    /// Every connection opened so far, by service and number.
    open: HashMap<Key, Connection>,
    /// How many connections each side has opened to each service: the next one's number.
    opened: HashMap<(Side, String, u16), usize>,
    /// Resets asked for connections not yet open: each is reset as it opens.
    pending: HashSet<Key>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Client,
    Server,
}

/// One connection: the client's host (once known) and the signal both ends watch.
#[derive(Debug)]
struct Connection {
    client: Option<String>,
    reset: Arc<Signal>,
}

/// Set once, when the connection is reset; wakes the ends waiting on it.
#[derive(Debug, Default)]
struct Signal {
    reset: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl Signal {
    fn is_set(&self) -> bool {
        self.reset.load(Ordering::SeqCst)
    }

    fn set(&self) {
        self.reset.store(true, Ordering::SeqCst);
        for waker in lock(&self.wakers).drain(..) {
            waker.wake();
        }
    }

    /// Wakes `cx` when the signal is set (at most one waker per end and direction is kept).
    fn wake_on_set(&self, cx: &Context<'_>) {
        let mut wakers = lock(&self.wakers);
        if !wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Connections {
    /// Wraps the client's end of a new connection from `client` to `host:port`, recording
    /// its end in `transcript`; returns it with its number.
    pub(crate) fn client_end(
        &self,
        client: &str,
        (host, port): (&str, u16),
        stream: BoxedStream,
        transcript: &Transcript,
    ) -> (usize, BoxedStream) {
        let (index, reset) = self.open(Side::Client, host, port, Some(client));
        let ends = Ends {
            closed: format!("{client} closes connection {index} to {host}:{port}"),
            reset: format!("{client}'s connection {index} to {host}:{port} was reset"),
        };
        (index, Box::new(Tracked::new(stream, reset, ends, transcript)))
    }

    /// Wraps the service's end of a connection `host:port` accepted from `client`.
    pub(crate) fn server_end(
        &self,
        (host, port): (&str, u16),
        client: &str,
        stream: BoxedStream,
        transcript: &Transcript,
    ) -> (usize, BoxedStream) {
        let (index, reset) = self.open(Side::Server, host, port, None);
        let ends = Ends {
            closed: format!("{host}:{port} closes connection {index} from {client}"),
            reset: format!("{host}:{port}'s connection {index} from {client} was reset"),
        };
        (index, Box::new(Tracked::new(stream, reset, ends, transcript)))
    }

    /// Numbers a new connection of `side` to `host:port`, and returns its number and signal.
    fn open(&self, side: Side, host: &str, port: u16, client: Option<&str>) -> (usize, Arc<Signal>) {
        let host = host.to_ascii_lowercase();
        let mut table = lock(&self.table);
        let next = table.opened.entry((side, host.clone(), port)).or_default();
        let index = *next;
        *next += 1;
        let key = (host, port, index);
        let pending = table.pending.remove(&key);
        let connection =
            table.open.entry(key).or_insert_with(|| Connection { client: None, reset: Arc::default() });
        if let Some(client) = client {
            connection.client = Some(client.to_string());
        }
        if pending {
            connection.reset.set();
        }
        (index, connection.reset.clone())
    }

    /// Resets connection `index` to `host:port` at both ends, now or as it opens.
    pub(crate) fn reset(&self, host: &str, port: u16, index: usize) {
        let key = (host.to_ascii_lowercase(), port, index);
        let mut table = lock(&self.table);
        match table.open.get(&key) {
            Some(connection) => connection.reset.set(),
            None => {
                table.pending.insert(key);
            }
        }
    }

    /// Resets every connection between hosts `a` and `b` at both ends.
    pub(crate) fn cut(&self, a: &str, b: &str) {
        let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        let table = lock(&self.table);
        for ((host, _, _), connection) in &table.open {
            let client = connection.client.as_deref().map(str::to_ascii_lowercase);
            let between = |x: &str, y: &str| *host == x && client.as_deref() == Some(y);
            if between(&a, &b) || between(&b, &a) {
                connection.reset.set();
            }
        }
    }
}

/// What an end records when it ends cleanly, and when it ends reset.
struct Ends {
    closed: String,
    reset: String,
}

/// One end of a connection: the stream until the connection is reset, then ConnectionReset on
/// every read and write. Records its end when dropped.
struct Tracked {
    inner: Option<BoxedStream>,
    reset: Arc<Signal>,
    /// True once a read or write met a reset (the fault's, or the network's).
    was_reset: bool,
    ends: Ends,
    transcript: Transcript,
}

impl Tracked {
    fn new(inner: BoxedStream, reset: Arc<Signal>, ends: Ends, transcript: &Transcript) -> Self {
        Self { inner: Some(inner), reset, was_reset: false, ends, transcript: transcript.clone() }
    }

    /// The stream, or the reset that ended it (its stream dropped at once).
    fn stream(&mut self, cx: &Context<'_>) -> io::Result<&mut BoxedStream> {
        self.reset.wake_on_set(cx);
        if self.reset.is_set() {
            self.inner = None;
        }
        match self.inner.as_mut() {
            Some(stream) => Ok(stream),
            None => {
                self.was_reset = true;
                Err(io::Error::new(io::ErrorKind::ConnectionReset, "the mock network reset the connection"))
            }
        }
    }

    /// Notes a reset the network reported.
    fn seen<T>(&mut self, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if let Poll::Ready(Err(e)) = &poll
            && e.kind() == io::ErrorKind::ConnectionReset
        {
            self.was_reset = true;
        }
        poll
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let what = if self.was_reset || self.reset.is_set() { &self.ends.reset } else { &self.ends.closed };
        self.transcript.record(what.clone());
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let poll = match self.stream(cx) {
            Ok(stream) => Pin::new(stream).poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        };
        self.seen(poll)
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let poll = match self.stream(cx) {
            Ok(stream) => Pin::new(stream).poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        };
        self.seen(poll)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = match self.stream(cx) {
            Ok(stream) => Pin::new(stream).poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        };
        self.seen(poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = match self.stream(cx) {
            Ok(stream) => Pin::new(stream).poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        };
        self.seen(poll)
    }
}
