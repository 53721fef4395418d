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
