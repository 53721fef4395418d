//! Leaves spoiled after signing: the good leaf's certificate with a flaw a client must refuse
//! (TLS-REJECT-ZOO's signature entries, and a certificate that is not DER). The chain and
//! key stay the good leaf's, so the handshake itself succeeds when the client does not verify.

use rustls::pki_types::CertificateDer;

use super::Leaf;

/// ecdsa-with-SHA256 (OID 1.2.840.10045.4.3.2): the signature algorithm of the P-256
/// intermediate that issues the good leaf.
const ECDSA_SHA256: &[u8] = &[0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
/// Ed448 (OID 1.3.101.113): a signature algorithm no P-256 key makes and no mainstream TLS stack
/// verifies in a server's chain by default.
const ED448: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x71];
/// Ed25519 (OID 1.3.101.112): supported everywhere, but not made by a P-256 key.
const ED25519: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70];

/// The spoiled copies of `good`.
pub(super) fn leaves(good: &Leaf) -> Vec<Leaf> {
    vec![
        good.spoiled("bad_signature", "the good leaf with one bit of its signature flipped", |der| {
            // The last byte of the certificate is the last byte of the ECDSA signature's `s`: any
            // value keeps the DER valid.
            if let Some(last) = der.last_mut() {
                *last ^= 0x01;
            }
        }),
        good.spoiled(
            "unsupported_algorithm",
            "the good leaf claiming an Ed448 signature from its P-256 issuer",
            |der| claim_signature_algorithm(der, ED448),
        ),
        good.spoiled(
            "algorithm_key_mismatch",
            "the good leaf claiming an Ed25519 signature from its P-256 issuer",
            |der| claim_signature_algorithm(der, ED25519),
        ),
        good.spoiled("bad_encoding", "the good leaf, its outer SEQUENCE tagged as a SET: not DER", |der| {
            der[0] = 0x31;
        }),
    ]
}

impl Leaf {
    /// This leaf under another name, its end-entity certificate changed by `spoil` after signing
    /// (the chain and key otherwise the same).
    fn spoiled(
        &self,
        name: &'static str,
        description: &'static str,
        spoil: impl FnOnce(&mut Vec<u8>),
    ) -> Leaf {
        let mut end_entity = self.end_entity().to_vec();
        spoil(&mut end_entity);
        let mut chain = self.chain.clone();
        chain[0] = CertificateDer::from(end_entity);
        let chain_pem = chain.iter().map(|der| pem_block("CERTIFICATE", der)).collect();
        Leaf { name, description, chain, chain_pem, ..self.clone() }
    }
}

/// Names `algorithm` as the certificate's signature algorithm in both places that name it (the
/// two ecdsa-with-SHA256 identifiers: in the signed part, and after it; the leaf's own key is
/// an id-ecPublicKey), with the lengths of the certificate and of its signed part changed to fit.
fn claim_signature_algorithm(der: &mut Vec<u8>, algorithm: &[u8]) {
    let found: Vec<usize> = der
        .windows(ECDSA_SHA256.len())
        .enumerate()
        .filter_map(|(at, window)| (window == ECDSA_SHA256).then_some(at))
        .collect();
    let [first, last] = found[..] else { return };
    for at in [last, first] {
        der.splice(at..at + ECDSA_SHA256.len(), algorithm.iter().copied());
    }
    let change = algorithm.len() as isize - ECDSA_SHA256.len() as isize;
    change_length(der, 0, 2 * change);
    change_length(der, 4, change);
}

/// Adds `by` to the length of the element at `at`, written in the two-byte long form (`0x82`) as
/// every zoo certificate and its signed part are (both stay over 255 bytes, so the form stays
/// DER's shortest).
fn change_length(der: &mut [u8], at: usize, by: isize) {
    if let Some([0x82, high, low]) = der.get_mut(at + 1..at + 4) {
        let length = u16::from_be_bytes([*high, *low]).saturating_add_signed(by as i16);
        [*high, *low] = length.to_be_bytes();
    }
}

/// `der` as a PEM block labelled `label`, in lines of 64 characters.
fn pem_block(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut block = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        block.push_str(std::str::from_utf8(line).unwrap_or_default());
        block.push('\n');
    }
    block + &format!("-----END {label}-----\n")
}
