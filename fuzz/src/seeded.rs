//! Inputs for the stable runs of the fuzz properties, without nightly or libFuzzer: a target's
//! committed corpus, then a bounded number of seeded variations of it (bytes flipped, inserted,
//! dropped, spliced from other corpus files, or tokens of the formats inserted). The same seed
//! gives the same inputs, so a failure reproduces as is.

use std::path::Path;

/// Tokens the variations insert: the separators and prefixes of the fuzzed formats.
const TOKENS: &[&[u8]] = &[
    b",",
    b":",
    b"[",
    b"]",
    b"*.",
    b".",
    b"-",
    b"\n",
    b"\r\n",
    b"\0",
    b" ",
    b"0x",
    b"::ffff:",
    b"%",
    b"=",
    b"{",
    b"}",
    b"\"",
    b"\\",
    b"null",
    b"-----BEGIN CERTIFICATE-----\n",
    b"-----END",
];

/// The files of a corpus directory, by name. Panics when there are none, so that a corpus that
/// went missing fails the test rather than passing it.
pub fn corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable corpus entry").path())
        .collect();
    paths.sort();
    let files: Vec<Vec<u8>> =
        paths.iter().map(|path| std::fs::read(path).expect("a readable corpus file")).collect();
    assert!(!files.is_empty(), "corpus {} is empty", dir.display());
    files
}

/// Runs `check` on every corpus file, then on `count` variations of them, naming the input of
/// the first failure.
pub fn run(dir: &Path, count: usize, check: fn(&[u8])) {
    let corpus = corpus(dir);
    let mut rng = Rng(0x5eed_ca5b_1a4f_u64);
    let variations = (0..count).map(|_| vary(&corpus, &mut rng));
    for input in corpus.iter().cloned().chain(variations) {
        let outcome = std::panic::catch_unwind(|| check(&input));
        if let Err(panic) = outcome {
            eprintln!("failing input of {}: b\"{}\"", dir.display(), input.escape_ascii());
            std::panic::resume_unwind(panic);
        }
    }
}

/// A small xorshift generator: deterministic, and enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 { 0 } else { (self.next() % bound as u64) as usize }
    }
}

fn vary(corpus: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut input = corpus[rng.below(corpus.len())].clone();
    for _ in 0..=rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(5) {
            0 if at < input.len() => input[at] ^= 1 << rng.below(8),
            1 => input.insert(at, rng.next() as u8),
            2 => {
                let end = (at + rng.below(8)).min(input.len());
                input.drain(at..end);
            }
            3 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len());
                let piece = &other[from..(from + rng.below(32)).min(other.len())];
                input.splice(at..at, piece.iter().copied());
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                input.splice(at..at, token.iter().copied());
            }
        }
    }
    input
}
