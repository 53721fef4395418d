//! The property of the `driver_protocol` target: the protocol decoder never panics on any line,
//! and what it accepts is consistent: a command keeps the line's `id` and reads back the same
//! once written; a reply is accepted only for the id asked, with the shape asked, and a
//! `ProtocolError` is never taken for a script's exception.
//!
//! Input: one line, as a port or the suite would read it.

use caspian_conformance::contract::Value;
use caspian_conformance::driver::{Expect, PROTOCOL_ERROR, Reply, Violation, parse_command, parse_reply};

/// Runs the property on one input; panics on a violation.
pub fn check(line: &[u8]) {
    let json: Option<serde_json::Value> = serde_json::from_slice(line).ok();
    let line_id = json.as_ref().and_then(|json| json.get("id")).and_then(serde_json::Value::as_u64);
    match parse_command(line) {
        Ok(command) => {
            assert_eq!(Some(command.id), line_id, "the command's id is not the line's");
            let written = serde_json::to_vec(&command).expect("a command serializes");
            let read_back = parse_command(&written).map(|again| again.id);
            assert_eq!(read_back, Ok(command.id), "{} does not read back", String::from_utf8_lossy(&written));
        }
        Err((Some(id), _)) => assert_eq!(Some(id), line_id, "the error names an id the line does not hold"),
        Err((None, _)) => {}
    }
    let Ok(text) = std::str::from_utf8(line) else { return };
    let asked = line_id.unwrap_or(0);
    for expect in [Expect::Hello, Expect::Nil, Expect::Value] {
        for id in [asked, asked.wrapping_add(1)] {
            check_reply(text, id, line_id, expect);
        }
    }
}

fn check_reply(text: &str, id: u64, line_id: Option<u64>, expect: Expect) {
    match parse_reply(text, id, expect) {
        Ok(reply) => {
            assert_eq!(line_id, Some(id), "a reply for {line_id:?} was taken as the reply to {id}");
            match (expect, reply) {
                (_, Reply::Raised(raised)) => assert_ne!(raised.class, PROTOCOL_ERROR),
                (Expect::Hello, Reply::Hello(_)) | (Expect::Nil, Reply::Value(Value::Nil)) => {}
                (Expect::Value, Reply::Value(_)) => {}
                (expect, reply) => panic!("{expect:?} was answered {reply:?}"),
            }
        }
        Err(Violation::Malformed(message)) => assert!(!message.is_empty(), "a violation without a message"),
        Err(Violation::Refused(_)) => {}
    }
}
