//! The certificate reasons stay in step in the places they are written: the reference's
//! `CertificateReason`, the catalog's TLS-REJECT-ZOO table and stack map, and CONFORMANCE.md.

use std::path::Path;

use caspian_conformance::stack_verdicts::STACK_VERDICTS;
use caspian_conformance::zoo::REJECTIONS;
use caspian_reference::error::CertificateReason;

#[test]
fn every_zoo_reason_is_a_certificate_reason() {
    let unknown: Vec<(&str, &str)> = REJECTIONS
        .iter()
        .flat_map(|r| r.reasons.iter().map(move |reason| (r.name, *reason)))
        .filter(|(_, reason)| CertificateReason::from_id(reason).is_none())
        .collect();
    assert!(unknown.is_empty(), "zoo entries whose reason the reference does not know: {unknown:?}");
}

#[test]
fn conformance_md_lists_exactly_the_certificate_reasons_in_order() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../CONFORMANCE.md");
    let document = std::fs::read_to_string(&path).expect("read CONFORMANCE.md");
    let paragraph = document
        .split("\n\n")
        .find(|p| p.starts_with("CertificateError reasons:"))
        .expect("a paragraph starting \"CertificateError reasons:\"");
    let listed: Vec<&str> = paragraph.split('`').skip(1).step_by(2).collect();
    let ids: Vec<&str> = CertificateReason::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(listed, ids, "CONFORMANCE.md's reasons differ from CertificateReason::ALL");
}

#[test]
fn the_stack_map_names_every_reason_once_in_order() {
    let mapped: Vec<&str> = STACK_VERDICTS.iter().map(|sources| sources.reason).collect();
    let ids: Vec<&str> = CertificateReason::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(mapped, ids, "the stack map's reasons differ from CertificateReason::ALL");
    let codes: Vec<u32> =
        STACK_VERDICTS.iter().flat_map(|s| s.openssl.iter().map(|(code, _)| *code)).collect();
    let mut unique = codes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), codes.len(), "an OpenSSL code mapped to two reasons");
}
