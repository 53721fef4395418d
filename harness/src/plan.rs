//! Choosing the cases of a run: filters by glob, clause and level, and shards.

use caspian_conformance::catalog::{Case, Level};
use caspian_conformance::script::quoted;

/// Which cases to run.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Case-ID globs (`*` matches any run of characters, `?` one); empty means every case.
    pub patterns: Vec<String>,
    /// Clause IDs; a case is kept when it checks any of them. Empty means every clause.
    pub clauses: Vec<String>,
    pub level: Option<Level>,
    /// `(index, count)`: keep the index-th of count equal slices (1-based).
    pub shard: Option<(usize, usize)>,
}

impl Filter {
    /// The cases of `catalog` this filter keeps, in catalog order.
    pub fn select(&self, catalog: &[Case]) -> Vec<Case> {
        let kept = catalog.iter().filter(|case| {
            (self.patterns.is_empty() || self.patterns.iter().any(|p| glob_match(p, case.id)))
                && (self.clauses.is_empty()
                    || case
                        .clauses
                        .iter()
                        .any(|c| self.clauses.iter().any(|want| want.eq_ignore_ascii_case(c))))
                && self.level.is_none_or(|level| case.level == level)
        });
        match self.shard {
            None => kept.copied().collect(),
            Some((index, count)) => {
                kept.enumerate().filter(|(i, _)| i % count == index - 1).map(|(_, case)| *case).collect()
            }
        }
    }
}

/// Parses `i/n` with 1 <= i <= n.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard takes i/n with 1 <= i <= n, got {}", quoted(text));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Glob matching over characters: `*` any run, `?` any one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("tcp.*", "tcp.open.echo"));
        assert!(glob_match("*.echo", "tcp.open.echo"));
        assert!(glob_match("tcp.open.ech?", "tcp.open.echo"));
        assert!(glob_match("tcp.open.echo", "tcp.open.echo"));
        assert!(!glob_match("tcp.open", "tcp.open.echo"));
        assert!(!glob_match("udp.*", "tcp.open.echo"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn shards() {
        assert_eq!(parse_shard("2/3"), Ok((2, 3)));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
        let catalog = caspian_conformance::catalog::catalog();
        let all = Filter::default().select(&catalog).len();
        let parts: usize =
            (1..=3).map(|i| Filter { shard: Some((i, 3)), ..Filter::default() }.select(&catalog).len()).sum();
        assert_eq!(parts, all);
    }
}
