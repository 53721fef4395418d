use super::*;

#[test]
fn commands_read_as_the_protocol_writes_them() {
    let hello = parse_command(br#"{"id":0,"op":"hello","protocol":1,"minor":1}"#).unwrap();
    assert_eq!(hello.body, CommandBody::Hello(HelloCommand { op: HelloOp::Hello, protocol: 1, minor: 1 }));
    let start = parse_command(br#"{"id":1,"op":"start","allow_net":"","allow_listen":null}"#).unwrap();
    assert!(
        matches!(start.body, CommandBody::Start(StartCommand { allow_net: Some(ref n), .. }) if n.is_empty())
    );
    let call = parse_command(br#"{"id":2,"op":"close","handle":4}"#).unwrap();
    assert_eq!(call.body, CommandBody::Call(Request::Close { handle: 4 }));
    assert_eq!(
        parse_command(br#"{"id":3,"op":"end"}"#).unwrap().body,
        CommandBody::End(EndCommand { op: EndOp::End })
    );
    let line = serde_json::to_string(&Response::value(2, &Value::Nil)).unwrap();
    assert_eq!(line, r#"{"id":2,"ok":"nil"}"#);
    let written =
        serde_json::to_string(&Command { id: 5, body: CommandBody::End(EndCommand { op: EndOp::End }) });
    assert_eq!(written.unwrap(), r#"{"id":5,"op":"end"}"#);
}

#[test]
fn timeouts_are_read_in_every_form() {
    let timeout = |line: &str| match parse_command(line.as_bytes()).unwrap().body {
        CommandBody::Call(Request::SetTimeout { timeout, .. }) => timeout,
        other => panic!("{other:?}"),
    };
    assert_eq!(timeout(r#"{"id":1,"op":"set_timeout","handle":1,"timeout":{"seconds":1.5}}"#), Some(1.5));
    assert_eq!(timeout(r#"{"id":1,"op":"set_timeout","handle":1,"timeout":"forever"}"#), None);
    assert_eq!(timeout(r#"{"id":1,"op":"set_timeout","handle":1,"timeout":2}"#), Some(2.0));
    assert_eq!(timeout(r#"{"id":1,"op":"set_timeout","handle":1,"timeout":null}"#), None);
    let tcp = parse_command(br#"{"id":1,"op":"tcp","host":"h","port":1,"timeout":1.5}"#).unwrap();
    assert!(
        matches!(tcp.body, CommandBody::Call(Request::Tcp { timeout: Some(crate::contract::Wait::Seconds(s)), .. }) if s == 1.5)
    );
    let written = serde_json::to_string(&Request::SetTimeout { handle: 1, timeout: None }).unwrap();
    assert_eq!(written, r#"{"op":"set_timeout","handle":1,"timeout":"forever"}"#);
}

#[test]
fn lines_that_are_not_commands_name_the_fault_and_keep_the_id() {
    let fault = |line: &[u8]| parse_command(line).unwrap_err();
    assert_eq!(fault(b"not json").0, None);
    assert_eq!(fault(b"[1,2]").0, None);
    assert_eq!(fault(br#"{"id":"7","op":"close","handle":1}"#).0, None);
    assert!(fault(br#"{"id":"7","op":"close","handle":1}"#).1.contains("field id"));
    let (id, message) = fault(br#"{"id":7,"op":"frobnicate"}"#);
    assert_eq!(id, Some(7));
    assert!(message.contains("frobnicate"), "{message}");
    let (id, message) = fault(br#"{"id":8,"op":"recv","handle":1}"#);
    assert_eq!(id, Some(8));
    assert!(message.contains("max_bytes"), "{message}");
    let (_, message) = fault(br#"{"id":9,"op":"tcp","host":"h","port":"x"}"#);
    assert!(message.contains("the tcp command") && message.contains("expected i64"), "{message}");
    assert_eq!(fault(&[0xff, 0xfe, b'\n']).0, None);
}

#[test]
fn replies_are_read_strictly() {
    let value = |line: &str| parse_reply(line, 3, Expect::Value);
    assert_eq!(value(r#"{"id":3,"ok":{"bytes":"YQ=="}}"#), Ok(Reply::Value(Value::Bytes(b"a".to_vec()))));
    assert_eq!(value(r#"{"id":3,"ok":"nil"}"#), Ok(Reply::Value(Value::Nil)));
    let raised = value(r#"{"id":3,"error":{"class":"Timeout","message":"m","reason":null}}"#);
    assert!(matches!(raised, Ok(Reply::Raised(Raised { reason: None, .. }))));
    let malformed = |line: &str| match value(line) {
        Err(Violation::Malformed(message)) => message,
        other => panic!("{line}: {other:?}"),
    };
    assert!(malformed(r#"{"id":3,"ok":null}"#).contains("\"nil\""));
    assert!(malformed(r#"{"id":3,"ok":{"bytes":"YQ"}}"#).contains("field ok.bytes"));
    assert!(malformed(r#"{"id":3,"ok":{"bytes":"YQ-_"}}"#).contains("field ok.bytes"));
    assert!(malformed(r#"{"id":4,"ok":"nil"}"#).contains("field id"));
    assert!(malformed(r#"{"id":"3","ok":"nil"}"#).contains("field id"));
    assert!(malformed(r#"{"ok":"nil"}"#).contains("field id"));
    assert!(malformed(r#"{"id":3,"ok":"nil","extra":1}"#).contains("field extra"));
    assert!(malformed(r#"{"id":3}"#).contains("neither"));
    assert!(
        malformed(r#"{"id":3,"ok":"nil","error":{"class":"Timeout","message":""}}"#).contains("not both")
    );
    assert!(malformed(r#"{"id":3,"ok":{"int":3.5}}"#).contains("field ok.int"));
    assert!(malformed(r#"{"id":3,"ok":{"handle":"1"}}"#).contains("field ok.handle"));
    assert!(malformed(r#"{"id":3,"error":{"message":"m"}}"#).contains("class"));
    assert!(malformed("garbage").contains("not a JSON line"));
    let refused = value(r#"{"id":null,"error":{"class":"ProtocolError","message":"unknown op"}}"#);
    assert_eq!(refused, Err(Violation::Refused("unknown op".into())));
    assert!(matches!(
        parse_reply(r#"{"id":3,"ok":{"int":1}}"#, 3, Expect::Nil),
        Err(Violation::Malformed(_))
    ));
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/protocol.schema.json");
    let generated = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    // Compared as JSON: the order of an object's keys may differ with the features a build
    // unifies, not its meaning.
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
    let first_difference = committed.lines().zip(generated.lines()).find(|(a, b)| a != b);
    assert!(
        parse(&committed).is_some() && parse(&committed) == parse(&generated),
        "conformance/protocol.schema.json drifted from the protocol's types (first difference: \
         {first_difference:?}): run `UPDATE_SCHEMA=1 cargo test -p caspian-conformance --lib driver` \
         and review the diff"
    );
}

#[test]
fn request_bytes_are_strict_base64_and_null_means_absent() {
    let send = parse_command(br#"{"id":1,"op":"send","handle":2,"bytes":"aGk="}"#).unwrap();
    assert_eq!(send.body, CommandBody::Call(Request::send(2, b"hi")));
    for bad in [r#""aGk""#, r#""aG-_""#, r#""hi\n""#] {
        let line = format!(r#"{{"id":1,"op":"send","handle":2,"bytes":{bad}}}"#);
        let (id, message) = parse_command(line.as_bytes()).unwrap_err();
        assert_eq!(id, Some(1));
        assert!(message.contains("standard base64"), "{bad}: {message}");
    }
    // null in an optional field is the field absent: the default, not "forever".
    let with_null =
        parse_command(br#"{"id":3,"op":"recv","handle":2,"max_bytes":4,"opts":{"timeout":null}}"#);
    let absent = parse_command(br#"{"id":3,"op":"recv","handle":2,"max_bytes":4,"opts":{}}"#);
    assert_eq!(with_null.unwrap().body, absent.unwrap().body);
    let tcp = parse_command(br#"{"id":4,"op":"tcp","host":"h","port":1,"timeout":null}"#).unwrap();
    assert_eq!(tcp.body, CommandBody::Call(Request::tcp("h", 1)));
}

#[test]
fn numbers_compare_as_numbers() {
    assert_eq!(Value::Int(30), Value::Float(30.0));
    assert_eq!(Value::Float(2.5), Value::Float(2.5));
    assert_ne!(Value::Int(30), Value::Float(30.5));
    assert_ne!(Value::Int(1), Value::Str("1".into()));
    assert_ne!(Value::Nil, Value::Bool(false));
}
