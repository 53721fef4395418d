use super::*;

fn perms(net: Option<&str>, listen: Option<&str>) -> Permissions {
    match Permissions::from_flags(net, listen) {
        Ok(p) => p,
        Err(e) => panic!("flags {net:?} / {listen:?} rejected: {e}"),
    }
}

fn net(value: &str) -> Permissions {
    perms(Some(value), None)
}

fn listen(value: &str) -> Permissions {
    perms(None, Some(value))
}

fn connects(p: &Permissions, host: &str, port: u16) -> bool {
    match p.check_connect(host, port) {
        Ok(()) => true,
        Err(e) => {
            assert_eq!(e.class, ErrorClass::PermissionDenied, "{e}");
            false
        }
    }
}

fn listens(p: &Permissions, host: &str, port: u16) -> bool {
    match p.check_listen(host, port) {
        Ok(()) => true,
        Err(e) => {
            assert_eq!(e.class, ErrorClass::PermissionDenied, "{e}");
            false
        }
    }
}

fn rejection(net: Option<&str>, listen: Option<&str>) -> String {
    match Permissions::from_flags(net, listen) {
        Ok(p) => panic!("flags {net:?} / {listen:?} accepted as {p}"),
        Err(e) => {
            assert_eq!(e.class, ErrorClass::ArgumentError, "{e}");
            e.message
        }
    }
}

// PERM-DEFAULT-DENY

#[test]
fn no_flags_deny_everything() {
    for p in [Permissions::deny_all(), perms(None, None)] {
        assert_eq!(p, Permissions::deny_all());
        assert!(!connects(&p, "example.com", 443));
        assert!(!connects(&p, "127.0.0.1", 80));
        assert!(!connects(&p, "::1", 80));
        assert!(!listens(&p, "0.0.0.0", 8080));
        assert!(!listens(&p, "127.0.0.1", 0));
        assert_eq!(p.to_flags(), (None, None));
        assert_eq!(p.to_string(), "(no network permissions)");
    }
}

// PERM-ALLOW-ALL

#[test]
fn bare_flags_allow_everything_of_their_kind() {
    let p = perms(Some(""), Some(""));
    assert_eq!(p, Permissions::allow_all());
    for host in ["example.com", "127.0.0.1", "::1", "[::1]", "127.1", "0.0.0.0", "::"] {
        for port in [0, 1, 443, 65535] {
            assert!(connects(&p, host, port), "{host}:{port}");
            assert!(listens(&p, host, port), "{host}:{port}");
        }
    }
    assert_eq!(p.to_flags(), (Some(String::new()), Some(String::new())));
    assert_eq!(p.to_string(), "--allow-net --allow-listen");
    assert_eq!(net("").to_string(), "--allow-net");
    assert_eq!(listen("").to_string(), "--allow-listen");
}

#[test]
fn bare_flag_grants_only_its_own_kind() {
    let p = net("");
    assert!(connects(&p, "example.com", 1));
    assert!(!listens(&p, "0.0.0.0", 8080));
    let p = listen("");
    assert!(listens(&p, "0.0.0.0", 8080));
    assert!(!connects(&p, "example.com", 1));
}

#[test]
fn unusable_target_hosts_are_denied_even_by_allow_all() {
    let p = Permissions::allow_all();
    for host in ["", " ", "a b", "example.com ", " example.com", "a\0b", "\0", "a\tb", "a\nb"] {
        let e = p.check_connect(host, 80).unwrap_err();
        assert_eq!(e.class, ErrorClass::PermissionDenied, "{host:?}");
        assert!(e.message.contains("no --allow-net entry can grant it"), "{}", e.message);
        let e = p.check_listen(host, 80).unwrap_err();
        assert_eq!(e.class, ErrorClass::PermissionDenied, "{host:?}");
        assert!(e.message.contains("no --allow-listen entry can grant it"), "{}", e.message);
    }
    let port_only = listen("80");
    assert!(!listens(&port_only, "", 80));
    assert!(!listens(&port_only, "a\0", 80));
}

// PERM-GRAMMAR: accepted forms

#[test]
fn every_net_form_is_accepted_and_normalized() {
    let cases = [
        ("example.com", "example.com"),
        ("example.com:443", "example.com:443"),
        ("example.com:8000-8100", "example.com:8000-8100"),
        ("example.com:80-80", "example.com:80"),
        ("example.com:0443", "example.com:443"),
        ("*.example.com", "*.example.com"),
        ("*.example.com:443", "*.example.com:443"),
        ("*.example.com:1-1024", "*.example.com:1-1024"),
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1:80", "127.0.0.1:80"),
        ("127.0.0.1:80-90", "127.0.0.1:80-90"),
        ("[::1]", "[::1]"),
        ("[::1]:443", "[::1]:443"),
        ("[::1]:1-65535", "[::1]:1-65535"),
        ("[0:0:0:0:0:0:0:1]", "[::1]"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        ("[::ffff:127.0.0.1]:80", "127.0.0.1:80"),
        ("localhost", "localhost"),
        ("EXAMPLE.Com.", "example.com"),
        ("*.EXAMPLE.com.:443", "*.example.com:443"),
        ("my_host-1.internal", "my_host-1.internal"),
        ("127.1", "127.1"),
        ("0177.0.0.1", "0177.0.0.1"),
        ("0x7F000001", "0x7f000001"),
        ("2130706433", "2130706433"),
        ("256.0.0.1", "256.0.0.1"),
    ];
    for (entry, normalized) in cases {
        let p = net(entry);
        assert_eq!(p.to_flags(), (Some(normalized.to_string()), None), "{entry}");
    }
    let p = net("a.com,b.com:443,[::1]:80,10.0.0.1");
    assert_eq!(p.to_flags().0.as_deref(), Some("a.com,b.com:443,[::1]:80,10.0.0.1"));
}

#[test]
fn every_listen_form_is_accepted_and_normalized() {
    let cases = [
        ("8080", "8080"),
        ("0", "0"),
        ("65535", "65535"),
        ("0-65535", "0-65535"),
        ("8000-8100", "8000-8100"),
        ("localhost:8080", "localhost:8080"),
        ("LocalHost.:8000-8100", "localhost:8000-8100"),
        ("127.0.0.1:0", "127.0.0.1:0"),
        ("0.0.0.0:80-81", "0.0.0.0:80-81"),
        ("[::]:8080", "[::]:8080"),
        ("[::1]:0-10", "[::1]:0-10"),
        ("[::ffff:10.0.0.1]:80", "10.0.0.1:80"),
    ];
    for (entry, normalized) in cases {
        let p = listen(entry);
        assert_eq!(p.to_flags(), (None, Some(normalized.to_string())), "{entry}");
    }
}

// PERM-GRAMMAR-INVALID

#[test]
fn invalid_net_entries_are_rejected_naming_the_entry() {
    let cases = [
        ("foo:99999", "port out of range 1..65535"),
        ("foo:65536", "port out of range 1..65535"),
        ("foo:0", "port out of range 1..65535"),
        ("foo:0-10", "port out of range 1..65535"),
        ("foo:", "port missing"),
        ("foo:80-", "port missing"),
        ("foo:-80", "port missing"),
        ("foo:http", "not a decimal number"),
        ("foo:+80", "not a decimal number"),
        ("foo:8o", "not a decimal number"),
        ("foo:99999999999999999999999", "port out of range"),
        ("foo:90-80", "reversed"),
        ("foo:1-2-3", "not a decimal number"),
        (":80", "missing host"),
        ("::1", "brackets"),
        ("::1:80", "brackets"),
        ("2001:db8::1", "brackets"),
        ("[::1", "closing ']'"),
        ("::1]", "bracket"),
        ("[[::1]]", "bracket"),
        ("[::1]]", "after ']'"),
        ("[::1]80", "after ']'"),
        ("[::1]:", "port missing"),
        ("[]", "not an IPv6 address"),
        ("[127.0.0.1]", "not an IPv6 address"),
        ("[example.com]", "not an IPv6 address"),
        ("[fe80::1%eth0]", "not an IPv6 address"),
        ("a[b]", "bracket"),
        ("*", "'*'"),
        ("*.", "needs a domain"),
        ("*.:80", "needs a domain"),
        ("*example.com", "'*'"),
        ("a.*.com", "'*'"),
        ("*.*.com", "'*'"),
        ("example.*", "'*'"),
        ("**.com", "'*'"),
        ("*..com", "empty label"),
        ("a..b", "empty label"),
        (".example.com", "empty label"),
        ("example.com..", "empty label"),
        (".", "empty host name"),
        ("exa mple.com", "whitespace"),
        (" example.com", "whitespace"),
        ("example.com ", "whitespace"),
        ("example.com:80 ", "whitespace"),
        ("exa\u{a0}mple.com", "whitespace"),
        ("a\0b", "control character"),
        ("bücher.de", "invalid character 'ü'"),
        ("a@b.com", "invalid character '@'"),
        ("a/b", "invalid character '/'"),
        ("127.0.0.1.", "trailing dot"),
        ("127.0.0.1.:80", "trailing dot"),
    ];
    for (entry, problem) in cases {
        let message = rejection(Some(entry), None);
        let named = format!("invalid --allow-net entry {entry:?}: ");
        assert!(message.starts_with(&named), "{entry:?}: {message}");
        assert!(message.contains(problem), "{entry:?}: {message}");
    }
    assert_eq!(
        rejection(Some("foo:99999"), None),
        r#"invalid --allow-net entry "foo:99999": port out of range 1..65535"#
    );
}

#[test]
fn invalid_listen_entries_are_rejected_naming_the_entry() {
    let cases = [
        ("65536", "port out of range 0..65535"),
        ("0-65536", "port out of range 0..65535"),
        ("localhost", "needs a port"),
        ("127.0.0.1", "needs a port"),
        ("[::1]", "needs a port"),
        ("localhost:", "port missing"),
        (":8080", "missing host"),
        ("-", "port missing"),
        ("8080-", "port missing"),
        ("-8080", "port missing"),
        ("8100-8000", "reversed"),
        ("localhost:http", "not a decimal number"),
        ("*.example.com:80", "wildcards are not allowed"),
        ("*:80", "'*'"),
        ("::1:80", "brackets"),
        ("[::1]8080", "after ']'"),
        ("a..b:80", "empty label"),
        (" 8080", "whitespace"),
        ("8080 ", "whitespace"),
        ("localhost :80", "whitespace"),
        ("hést:80", "invalid character"),
    ];
    for (entry, problem) in cases {
        let message = rejection(None, Some(entry));
        let named = format!("invalid --allow-listen entry {entry:?}: ");
        assert!(message.starts_with(&named), "{entry:?}: {message}");
        assert!(message.contains(problem), "{entry:?}: {message}");
    }
}

#[test]
fn an_invalid_entry_anywhere_in_the_list_rejects_the_flag() {
    for value in ["a,,b", "a,", ",a", ",", "a.com,foo:99999", "a.com,b.com:443,*"] {
        let message = rejection(Some(value), None);
        assert!(message.starts_with("invalid --allow-net entry "), "{message}");
    }
    assert!(rejection(Some("a,,b"), None).contains(r#"entry "": empty entry"#));
    assert!(rejection(Some("a.com,foo:99999"), None).contains(r#""foo:99999""#));
    assert!(rejection(None, Some("80,x")).contains(r#"--allow-listen entry "x""#));
    // A valid net flag does not hide an invalid listen flag, nor the reverse.
    assert!(rejection(Some("a.com"), Some("80,")).contains("--allow-listen"));
    assert!(rejection(Some("a.com,"), Some("80")).contains("--allow-net"));
    // Whitespace around commas is not trimmed.
    assert!(rejection(Some("a.com, b.com"), None).contains(r#"entry " b.com""#));
}

// Entry semantics

#[test]
fn host_entry_without_port_allows_every_port() {
    let p = net("example.com");
    for port in [0, 1, 80, 443, 65535] {
        assert!(connects(&p, "example.com", port), "{port}");
    }
    assert!(!connects(&p, "other.com", 443));
}

#[test]
fn port_ranges_are_inclusive_at_both_edges() {
    let p = net("example.com:8000-8100");
    assert!(!connects(&p, "example.com", 7999));
    assert!(connects(&p, "example.com", 8000));
    assert!(connects(&p, "example.com", 8050));
    assert!(connects(&p, "example.com", 8100));
    assert!(!connects(&p, "example.com", 8101));

    let p = net("example.com:443");
    assert!(connects(&p, "example.com", 443));
    assert!(!connects(&p, "example.com", 442));
    assert!(!connects(&p, "example.com", 444));

    let p = net("h:1,h:65535");
    assert!(connects(&p, "h", 1));
    assert!(connects(&p, "h", 65535));
    assert!(!connects(&p, "h", 2));
    assert!(!connects(&p, "h", 0));

    let p = listen("0,65535");
    assert!(listens(&p, "0.0.0.0", 0));
    assert!(listens(&p, "0.0.0.0", 65535));
    assert!(!listens(&p, "0.0.0.0", 1));

    let p = listen("0-65535");
    for port in [0, 1, 8080, 65535] {
        assert!(listens(&p, "::", port), "{port}");
    }
}

// PERM-NAME-NORMAL

#[test]
fn names_match_case_insensitively_and_without_trailing_dot() {
    let entry_spellings = ["example.com", "EXAMPLE.com", "example.com.", "Example.COM."];
    let target_spellings = ["example.com", "EXAMPLE.com", "example.com.", "eXaMpLe.CoM."];
    for entry in entry_spellings {
        let p = net(&format!("{entry}:443"));
        for target in target_spellings {
            assert!(connects(&p, target, 443), "{entry} / {target}");
        }
        assert!(!connects(&p, "example.com..", 443));
        assert!(!connects(&p, "example.co", 443));
        assert!(!connects(&p, "example.com.au", 443));
    }
    let p = listen("LOCALHOST.:8080");
    assert!(listens(&p, "localhost", 8080));
    assert!(listens(&p, "LocalHost.", 8080));
}

/// PERM-WILDCARD: a wildcard grants the names strictly below its suffix, never the suffix.
#[test]
fn wildcard_matches_names_below_but_not_the_apex() {
    let p = net("*.example.com");
    assert!(connects(&p, "a.example.com", 443));
    assert!(connects(&p, "a.b.example.com", 80));
    assert!(connects(&p, "A.Example.COM.", 80));
    assert!(!connects(&p, "example.com", 443));
    assert!(!connects(&p, "example.com.", 443));
    assert!(!connects(&p, "badexample.com", 443));
    assert!(!connects(&p, "a.example.com.evil", 443));
    assert!(!connects(&p, "*.example.com", 443));
    assert!(!connects(&p, ".example.com", 443));

    let p = net("*.example.com:443");
    assert!(connects(&p, "a.example.com", 443));
    assert!(!connects(&p, "a.example.com", 80));
}

#[test]
fn wildcards_never_match_ip_addresses() {
    let p = net("*.0.0.1,*.1");
    assert!(!connects(&p, "127.0.0.1", 80));
    assert!(!connects(&p, "10.0.0.1", 80));
    assert!(connects(&p, "127.0.0.0.1", 80), "a five-part name is a name");
    let p = net("*.1");
    assert!(!connects(&p, "::1", 80));
    assert!(!connects(&p, "[::1]", 80));
}

// PERM-LITERAL

#[test]
fn other_spellings_of_an_address_are_names_not_granted_by_the_address() {
    let p = net("127.0.0.1");
    assert!(connects(&p, "127.0.0.1", 80));
    for spelling in [
        "127.1",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "127.0.0.01",
        "127.000.000.001",
        "+127.0.0.1",
        "127.0.0.1.",
        "localhost",
    ] {
        assert!(!connects(&p, spelling, 80), "{spelling}");
    }
}

#[test]
fn odd_spellings_match_only_an_identical_name_entry() {
    for spelling in ["127.1", "2130706433", "0x7f000001", "0177.0.0.1"] {
        let p = net(spelling);
        assert!(connects(&p, spelling, 80), "{spelling}");
        assert!(connects(&p, &spelling.to_ascii_uppercase(), 80), "{spelling}");
        assert!(!connects(&p, "127.0.0.1", 80), "{spelling} must not grant 127.0.0.1");
        assert!(!connects(&p, "::ffff:127.0.0.1", 80), "{spelling}");
    }
}

#[test]
fn localhost_and_loopback_address_do_not_grant_each_other() {
    let p = net("localhost");
    assert!(connects(&p, "localhost", 80));
    assert!(!connects(&p, "127.0.0.1", 80));
    assert!(!connects(&p, "::1", 80));
    let p = net("127.0.0.1");
    assert!(!connects(&p, "localhost", 80));
    let p = net("[::1]");
    assert!(!connects(&p, "localhost", 80));
    let p = listen("localhost:8080");
    assert!(!listens(&p, "127.0.0.1", 8080));
    let p = listen("127.0.0.1:8080");
    assert!(!listens(&p, "localhost", 8080));
}

#[test]
fn ipv4_mapped_ipv6_is_the_ipv4_address() {
    let p = net("127.0.0.1");
    assert!(connects(&p, "::ffff:127.0.0.1", 80));
    assert!(connects(&p, "[::ffff:127.0.0.1]", 80));
    assert!(connects(&p, "::FFFF:7f00:1", 80));
    assert!(!connects(&p, "::ffff:127.0.0.2", 80));

    let p = net("[::ffff:127.0.0.1]");
    assert!(connects(&p, "127.0.0.1", 80));
    assert!(connects(&p, "::ffff:127.0.0.1", 80));
    assert!(!connects(&p, "::1", 80));
    assert_eq!(p, net("127.0.0.1"));

    let p = listen("[::ffff:0.0.0.0]:80");
    assert!(listens(&p, "0.0.0.0", 80));
    assert!(!listens(&p, "::", 80));
}

#[test]
fn ipv6_compares_as_addresses_bracketed_or_not() {
    let p = net("[::1]");
    for target in ["::1", "[::1]", "0:0:0:0:0:0:0:1", "[0:0:0:0:0:0:0:1]", "0::1"] {
        assert!(connects(&p, target, 80), "{target}");
    }
    assert!(!connects(&p, "::2", 80));
    assert!(!connects(&p, "[::1", 80));
    assert!(!connects(&p, "::1]", 80));
    assert!(!connects(&p, "[[::1]]", 80));

    let p = net("[2001:db8::1]:443");
    assert!(connects(&p, "2001:DB8:0:0:0:0:0:1", 443));
    assert!(!connects(&p, "2001:db8::1", 80));

    let p = net("[::1]:8000-8100");
    assert!(connects(&p, "::1", 8000));
    assert!(connects(&p, "[::1]", 8100));
    assert!(!connects(&p, "::1", 8101));
}

// PERM-SEPARATE

#[test]
fn net_never_allows_listening_and_listen_never_allows_connecting() {
    let p = net("localhost,127.0.0.1,[::1],*.example.com");
    assert!(connects(&p, "localhost", 8080));
    assert!(!listens(&p, "localhost", 8080));
    assert!(!listens(&p, "127.0.0.1", 8080));
    assert!(!listens(&p, "::1", 0));

    let p = listen("8080,localhost:9000,[::1]:0-65535");
    assert!(listens(&p, "localhost", 8080));
    assert!(!connects(&p, "localhost", 8080));
    assert!(!connects(&p, "localhost", 9000));
    assert!(!connects(&p, "::1", 443));
}

// Listening

#[test]
fn port_only_listen_entry_allows_any_bind_host() {
    let p = listen("8080,8000-8100");
    for host in ["0.0.0.0", "127.0.0.1", "::", "[::1]", "localhost", "my-box.lan", "a@b"] {
        assert!(listens(&p, host, 8080), "{host}");
        assert!(listens(&p, host, 8000), "{host}");
    }
    assert!(!listens(&p, "0.0.0.0", 8101));
    assert!(!listens(&p, "0.0.0.0", 0));
}

#[test]
fn host_listen_entry_allows_only_that_bind_host() {
    let p = listen("127.0.0.1:8080,[::1]:9000,localhost:0");
    assert!(listens(&p, "127.0.0.1", 8080));
    assert!(!listens(&p, "0.0.0.0", 8080));
    assert!(!listens(&p, "::1", 8080));
    assert!(listens(&p, "::1", 9000));
    assert!(listens(&p, "[0:0:0:0:0:0:0:1]", 9000));
    assert!(!listens(&p, "127.0.0.1", 9000));
    assert!(listens(&p, "LOCALHOST", 0));
    assert!(!listens(&p, "localhost", 8080));
    assert!(!listens(&p, "a@b", 8080));
}

#[test]
fn ephemeral_port_zero_needs_an_entry_covering_zero() {
    assert!(listens(&listen("0"), "0.0.0.0", 0));
    assert!(listens(&listen("0-1024"), "0.0.0.0", 0));
    assert!(!listens(&listen("1-1024"), "0.0.0.0", 0));
}

// PERM-ERROR

#[test]
fn denial_messages_name_target_and_granting_entry() {
    let none = Permissions::deny_all();
    let e = none.check_connect("example.com", 443).unwrap_err();
    assert_eq!(e.class, ErrorClass::PermissionDenied);
    assert_eq!(e.message, "connect to example.com:443 denied: grant it with --allow-net=example.com:443");

    let e = none.check_listen("0.0.0.0", 8080).unwrap_err();
    assert_eq!(e.class, ErrorClass::PermissionDenied);
    assert_eq!(e.message, "listen on 0.0.0.0:8080 denied: grant it with --allow-listen=8080");

    let e = net("other.com").check_connect("::1", 80).unwrap_err();
    assert_eq!(e.message, "connect to [::1]:80 denied: grant it with --allow-net=[::1]:80");
    let e = none.check_connect("[::1]", 80).unwrap_err();
    assert_eq!(e.message, "connect to [::1]:80 denied: grant it with --allow-net=[::1]:80");
    let e = none.check_connect("0:0:0:0:0:0:0:1", 80).unwrap_err();
    assert_eq!(e.message, "connect to [0:0:0:0:0:0:0:1]:80 denied: grant it with --allow-net=[::1]:80");
    let e = none.check_connect("::ffff:127.0.0.1", 80).unwrap_err();
    assert_eq!(e.message, "connect to [::ffff:127.0.0.1]:80 denied: grant it with --allow-net=127.0.0.1:80");
    let e = none.check_connect("EXAMPLE.com.", 443).unwrap_err();
    assert_eq!(e.message, "connect to EXAMPLE.com.:443 denied: grant it with --allow-net=example.com:443");
    let e = none.check_listen("::", 0).unwrap_err();
    assert_eq!(e.message, "listen on [::]:0 denied: grant it with --allow-listen=0");

    let e = none.check_connect("a b", 80).unwrap_err();
    assert_eq!(e.class, ErrorClass::PermissionDenied);
    assert_eq!(
        e.message,
        "connect to \"a b\":80 denied: no --allow-net entry can grant it: \
         not a valid host name or IP address"
    );
    let e = none.check_connect("a@b", 80).unwrap_err();
    assert!(e.message.starts_with("connect to a@b:80 denied: no --allow-net entry"));
}

#[test]
fn the_suggested_entry_really_grants_the_target() {
    let targets = ["example.com", "EXAMPLE.com.", "127.0.0.1", "::1", "[::1]", "::ffff:10.1.2.3", "127.1"];
    for host in targets {
        let message = Permissions::deny_all().check_connect(host, 443).unwrap_err().message;
        let (_, entry) = message.split_once("--allow-net=").expect(&message);
        assert!(connects(&net(entry), host, 443), "{host}: {entry}");
        assert!(!connects(&net(entry), host, 444), "{host}: {entry}");

        let message = Permissions::deny_all().check_listen(host, 0).unwrap_err().message;
        let (_, entry) = message.split_once("--allow-listen=").expect(&message);
        assert!(listens(&listen(entry), host, 0), "{host}: {entry}");
    }
}

// to_flags / Display

#[test]
fn to_flags_round_trips() {
    let flags: [(Option<&str>, Option<&str>); 9] = [
        (None, None),
        (Some(""), None),
        (None, Some("")),
        (Some(""), Some("")),
        (Some("EXAMPLE.com.:443,*.Foo.org,127.0.0.1:1-1024"), Some("8080,LocalHost:0")),
        (Some("[0:0::1]:80,[::ffff:1.2.3.4],127.1,a.com,a.com"), Some("[::]:80-81,0-65535")),
        (Some("h:80-80"), Some("5-5")),
        (Some("0x7f000001:7"), None),
        (None, Some("0.0.0.0:0")),
    ];
    for (n, l) in flags {
        let p = perms(n, l);
        let (n2, l2) = p.to_flags();
        let back = perms(n2.as_deref(), l2.as_deref());
        assert_eq!(back, p, "{n:?} / {l:?}");
        assert_eq!(back.to_flags(), p.to_flags());
    }
    let p = perms(
        Some("EXAMPLE.com.:443,*.Foo.org,[0:0::1]:80,[::ffff:1.2.3.4]"),
        Some("8080,LocalHost.:8000-8100"),
    );
    assert_eq!(
        p.to_flags(),
        (
            Some("example.com:443,*.foo.org,[::1]:80,1.2.3.4".to_string()),
            Some("8080,localhost:8000-8100".to_string())
        )
    );
}

#[test]
fn display_is_the_command_line_form() {
    assert_eq!(
        perms(Some("a.com,B.com:443"), Some("8080")).to_string(),
        "--allow-net=a.com,b.com:443 --allow-listen=8080"
    );
    assert_eq!(perms(Some("a.com"), Some("")).to_string(), "--allow-net=a.com --allow-listen");
    assert_eq!(listen("[::1]:80").to_string(), "--allow-listen=[::1]:80");
    assert_eq!(Permissions::allow_all().to_string(), "--allow-net --allow-listen");
}

// No panics, and a round trip, on a small exhaustive space of awkward inputs.

#[test]
fn no_input_panics_and_accepted_flags_round_trip() {
    const ALPHABET: [char; 13] = ['a', '1', '0', ':', '[', ']', '.', '*', '-', ',', 'é', ' ', '\0'];
    let mut inputs = vec![String::new()];
    let mut previous = vec![String::new()];
    for _ in 0..4 {
        let next: Vec<String> =
            previous.iter().flat_map(|s| ALPHABET.iter().map(move |c| format!("{s}{c}"))).collect();
        inputs.extend(next.iter().cloned());
        previous = next;
    }
    let allow = perms(Some("a,*.a,1.0.0.1,[::1]"), Some("0,a:1"));
    let mut accepted = 0;
    for input in &inputs {
        for (n, l) in [(Some(input.as_str()), None), (None, Some(input.as_str()))] {
            if let Ok(p) = Permissions::from_flags(n, l) {
                accepted += 1;
                let (n2, l2) = p.to_flags();
                assert_eq!(perms(n2.as_deref(), l2.as_deref()), p, "{n:?} / {l:?}");
            }
        }
        for port in [0, 1, 65535] {
            let _ = allow.check_connect(input, port);
            let _ = allow.check_listen(input, port);
            let _ = Permissions::allow_all().check_connect(input, port);
        }
    }
    assert!(accepted > 100, "only {accepted} accepted");
}
