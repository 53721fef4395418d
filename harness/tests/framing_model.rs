//! The catalog's framing model (what the framing.generated.* cases hold engines to) agrees with
//! the reference's sans-IO `RecvBuffer` on arbitrary streams and reads, so that the two cannot
//! drift apart.
//!
//! Both are fed the same events: bytes arriving, the end of the stream, and reads. Every byte
//! that has arrived is in the buffer, so where the model allows a prefix (recv), the buffer must
//! give all of it; where the model waits for bytes not sent, the buffer needs more.
//!
//! The RNG seed is fixed so every run checks the same cases (`PROPTEST_CASES` raises the count,
//! `PROPTEST_RNG_SEED=<u64>` explores others).

use caspian_conformance::framing_model::{Answer, DEFAULT_MAX_LENGTH, FramingModel, Read};
use caspian_reference::framing::{DEFAULT_MAX_LINE, FrameError, RecvBuffer};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};

/// One event of both sides.
#[derive(Debug, Clone)]
enum Event {
    Arrive(Vec<u8>),
    End,
    Read(Read),
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let byte = prop_oneof![4 => b'a'..=b'c', 2 => Just(b'\n'), 1 => Just(b'\r'), 1 => any::<u8>()];
    let read = prop_oneof![
        (1usize..=12).prop_map(|max_bytes| Read::Recv { max_bytes }),
        prop_oneof![Just(None), (1usize..=12).prop_map(Some)]
            .prop_map(|max_length| Read::Line { max_length }),
        (0usize..=12).prop_map(|n| Read::Exact { n }),
    ];
    let event = prop_oneof![
        3 => vec(byte, 1..=8).prop_map(Event::Arrive),
        1 => Just(Event::End),
        6 => read.prop_map(Event::Read),
    ];
    vec(event, 0..=40)
}

/// What the buffer answers to `read`, consuming a frame it returns.
fn buffer_answer(buffer: &mut RecvBuffer, read: Read) -> Result<Option<Vec<u8>>, FrameError> {
    match read {
        Read::Recv { max_bytes } => Ok(buffer.take_some(max_bytes).map(Vec::from)),
        Read::Line { max_length } => {
            buffer.take_line(max_length.unwrap_or(DEFAULT_MAX_LINE)).map(|line| line.map(Vec::from))
        }
        Read::Exact { n } => buffer.take_exact(n).map(|bytes| bytes.map(Vec::from)),
    }
}

/// How a model answers a read: the catalog's, or a planted bug.
type Answering = fn(&FramingModel, Read) -> Answer;

/// Plays `events` on the model (answering by `answer`) and the buffer; fails at the first read
/// where they disagree.
fn agree(events: &[Event], answer: Answering) -> Result<(), TestCaseError> {
    let mut model = FramingModel::new();
    let mut buffer = RecvBuffer::new();
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Arrive(bytes) if !model.ended() => {
                model.sent(bytes);
                buffer.read_space(bytes.len()).extend_from_slice(bytes);
            }
            Event::Arrive(_) => {}
            Event::End => {
                model.end();
                buffer.mark_eof();
            }
            Event::Read(read) => {
                let expected = answer(&model, *read);
                let actual = buffer_answer(&mut buffer, *read);
                let same = match (&expected, &actual) {
                    (Answer::Bytes(bytes) | Answer::Prefix(bytes), Ok(Some(frame))) => frame == bytes,
                    (Answer::Timeout, Ok(None)) => true,
                    (Answer::EndOfStream, Err(FrameError::EndOfStream { .. })) => true,
                    (Answer::LineTooLong, Err(FrameError::LineTooLong { .. })) => true,
                    _ => false,
                };
                prop_assert!(
                    same,
                    "event {index}, {read}: the model answers {expected:?}, the buffer {actual:?}"
                );
                if let Ok(Some(frame)) = actual {
                    model.consume(frame.len());
                }
                prop_assert_eq!(
                    model.unread().len(),
                    buffer.buffered(),
                    "event {}: unread bytes differ",
                    index
                );
            }
        }
    }
    Ok(())
}

fn runner() -> TestRunner {
    let mut config = Config { failure_persistence: None, ..Config::default() };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x00C0_FFEE);
    }
    config.cases = config.cases.max(512);
    TestRunner::new(config)
}

#[test]
fn the_model_and_the_reference_buffer_agree() {
    assert_eq!(DEFAULT_MAX_LENGTH, DEFAULT_MAX_LINE, "the default max_length");
    match runner().run(&events(), |events| agree(&events, FramingModel::answer)) {
        Ok(()) => {}
        Err(TestError::Fail(reason, minimal)) => panic!("{reason}\nminimal events: {minimal:?}"),
        Err(TestError::Abort(reason)) => panic!("aborted: {reason}"),
    }
}

/// The property can fail: a model that forgets IO-LINE-MAX (it ignores max_length) disagrees
/// with the buffer on a line read with a small max_length.
#[test]
fn a_model_that_forgets_max_length_is_caught() {
    let forgetful: Answering = |model, read| match read {
        Read::Line { .. } => model.answer(Read::Line { max_length: None }),
        other => model.answer(other),
    };
    match runner().run(&events(), |events| agree(&events, forgetful)) {
        Err(TestError::Fail(reason, minimal)) => {
            assert!(reason.message().contains("LineTooLong"), "caught for another reason: {reason}");
            eprintln!("the forgetful model, caught on {minimal:?}");
        }
        other => panic!("the forgetful model was not caught: {other:?}"),
    }
}
