//! The committed fixtures agree with the code that makes them.

use std::path::Path;

use caspian_harness::certs::CertZoo;

#[test]
fn fixtures_match_the_minted_zoo() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/certs");
    let minted = std::env::temp_dir().join(format!("caspian-fixture-check-{}", std::process::id()));
    let written = CertZoo::mint().write_pem(&minted).expect("write the minted zoo");
    for path in &written {
        let name = path.file_name().expect("a file name");
        let committed = std::fs::read(fixtures.join(name))
            .unwrap_or_else(|e| panic!("fixtures/certs/{} is missing ({e}): remint it", name.display()));
        let fresh = std::fs::read(path).expect("read the minted file");
        assert!(
            committed == fresh,
            "fixtures/certs/{} differs from the minted zoo: remint it",
            name.display()
        );
    }
    let _ = std::fs::remove_dir_all(&minted);
}

/// The mock network serves the zoo from PEM files built into it (`mocknet/certs`): they are the
/// minted zoo's, every one of them.
#[test]
fn the_mock_networks_zoo_is_the_minted_zoo() {
    let minted = std::env::temp_dir().join(format!("caspian-mocknet-zoo-check-{}", std::process::id()));
    let written = CertZoo::mint().write_pem(&minted).expect("write the minted zoo");
    let remint = "remint it: caspian-conform certs --out mocknet/certs (and list a new leaf in \
                  mocknet/src/certs.rs)";
    let embedded = caspian_mocknet::certs::pem_files();
    let mut pem_files = 0;
    for path in written.iter().filter(|path| path.extension().is_some_and(|ext| ext == "pem")) {
        let name = path.file_name().and_then(|name| name.to_str()).expect("a file name");
        let fresh = std::fs::read_to_string(path).expect("read the minted file");
        let built_in = embedded.iter().find(|(file, _)| file == name).map(|(_, pem)| *pem);
        assert!(built_in.is_some(), "mocknet/certs lacks {name}: {remint}");
        assert!(
            built_in == Some(fresh.as_str()),
            "mocknet/certs/{name} differs from the minted zoo: {remint}"
        );
        pem_files += 1;
    }
    assert_eq!(embedded.len(), pem_files, "mocknet/certs holds files the zoo no longer mints: {remint}");
    let _ = std::fs::remove_dir_all(&minted);
}

/// Keys are written as PKCS#8 version 1 (RFC 5208), which every TLS library reads; version 2
/// (RFC 5958, with the public key) is refused by OpenSSL 3.0, which ports on LuaSec use.
#[test]
fn keys_are_pkcs8_version_1() {
    let zoo = CertZoo::shared();
    for leaf in zoo.leaves() {
        let der = leaf.key.secret_pkcs8_der();
        // SEQUENCE { INTEGER version, ... }: the version is the first INTEGER's value, after the
        // SEQUENCE's tag and length (short form, or long form of `der[1] & 0x7f` more bytes).
        let header = 2 + if der[1] & 0x80 == 0 { 0 } else { usize::from(der[1] & 0x7f) };
        assert_eq!(&der[header..header + 3], &[0x02, 0x01, 0x00], "{}: not PKCS#8 version 1", leaf.name);
    }
}
