package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/netip"
	"time"
)

// certValue is `.peer_cert` (TLS-PEER-CERT-FORMAT).
type certValue struct {
	Subject     string   `json:"subject"`
	Issuer      string   `json:"issuer"`
	Fingerprint string   `json:"fingerprint"`
	ValidFrom   string   `json:"validfrom"`
	ValidUntil  string   `json:"validuntil"`
	SANs        []string `json:"sans"`
}

// rfc4514 is a distinguished name as RFC 4514 writes it, most specific RDN first. Go's
// pkix.Name reorders the attributes by type, so the raw sequence is read instead.
func rfc4514(raw []byte) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdns); err != nil {
		return ""
	}
	return rdns.String()
}

// subjectAltNames are the DNS names and IP addresses of the subjectAltName in certificate
// order (Go's x509.Certificate groups them by type); IPs in canonical text.
func subjectAltNames(cert *x509.Certificate) []string {
	sans := []string{}
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}) {
			continue
		}
		var seq asn1.RawValue
		if _, err := asn1.Unmarshal(ext.Value, &seq); err != nil {
			return sans
		}
		rest := seq.Bytes
		for len(rest) > 0 {
			var name asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &name); err != nil {
				break
			}
			switch name.Tag {
			case 2:
				sans = append(sans, string(name.Bytes))
			case 7:
				if ip, ok := netip.AddrFromSlice(name.Bytes); ok {
					sans = append(sans, ip.Unmap().String())
				}
			}
		}
	}
	return sans
}

func peerCertValue(cert *x509.Certificate) *certValue {
	sum := sha256.Sum256(cert.Raw)
	return &certValue{
		Subject:     rfc4514(cert.RawSubject),
		Issuer:      rfc4514(cert.RawIssuer),
		Fingerprint: hex.EncodeToString(sum[:]),
		ValidFrom:   cert.NotBefore.UTC().Format(time.RFC3339),
		ValidUntil:  cert.NotAfter.UTC().Format(time.RFC3339),
		SANs:        subjectAltNames(cert),
	}
}

// verifyPeer checks the server's chain against the trust store, the leaf's own
// basicConstraints, and (unless switched off) the name, giving each failure its
// CertificateError reason (TLS-REJECT-ZOO).
func verifyPeer(certs []*x509.Certificate, roots *trustStore, name, t string) *Error {
	if len(certs) == 0 {
		return certificateError("other", "the server %s sent no certificate", t)
	}
	leaf := certs[0]
	intermediates := x509.NewCertPool()
	for _, c := range certs[1:] {
		intermediates.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots.pool, Intermediates: intermediates,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		reason := chainReason(err)
		if reason == "unknown_issuer" {
			reason = issuerReason(certs, roots.certs)
		}
		return certificateError(reason, "certificate of %s rejected: %v", t, err)
	}
	if leaf.BasicConstraintsValid && leaf.IsCA {
		return certificateError("bad_usage", "certificate of %s rejected: the server certificate is a CA certificate (basicConstraints CA:true)", t)
	}
	if naive["hostcheck"] {
		return nil
	}
	if err := leaf.VerifyHostname(name); err != nil {
		return certificateError("name_mismatch", "certificate of %s rejected: it is not valid for %s (%v)", t, name, err)
	}
	return nil
}

// chainReason maps crypto/x509's verification errors to CertificateError reasons.
func chainReason(err error) string {
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		switch invalid.Reason {
		case x509.Expired: // Go's one reason for both ends of the validity period
			if invalid.Cert != nil && time.Now().Before(invalid.Cert.NotBefore) {
				return "not_yet_valid"
			}
			return "expired"
		case x509.NotAuthorizedToSign, x509.IncompatibleUsage, x509.CANotAuthorizedForExtKeyUsage:
			return "bad_usage"
		case x509.TooManyIntermediates:
			return "path_length"
		case x509.CANotAuthorizedForThisName, x509.NameConstraintsWithoutSANs, x509.UnconstrainedName:
			return "name_constraint"
		}
		return "other"
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		return "unknown_issuer"
	}
	var hostname x509.HostnameError
	if errors.As(err, &hostname) {
		return "name_mismatch"
	}
	return "other"
}

// trustStore is a pool of trusted roots, and its certificates (a CertPool does not list them).
type trustStore struct {
	pool  *x509.CertPool
	certs []*x509.Certificate
}

func newTrustStore() *trustStore { return &trustStore{pool: x509.NewCertPool()} }

// addPEM adds every certificate of a PEM text and returns how many.
func (s *trustStore) addPEM(text []byte) int {
	added := 0
	for {
		block, rest := pem.Decode(text)
		if block == nil {
			return added
		}
		text = rest
		if block.Type != "CERTIFICATE" {
			continue
		}
		if cert, err := x509.ParseCertificate(block.Bytes); err == nil {
			s.pool.AddCert(cert)
			s.certs = append(s.certs, cert)
			added++
		}
	}
}

// issuerReason tells why no chain was found. crypto/x509 reports every issuer it could not use
// as an UnknownAuthorityError, keeping the cause to its message; so each presented certificate
// is checked against the issuers that name it (same subject, same key identifier): a signature
// that does not verify is bad_signature, an issuer that may not sign (not a CA) bad_usage.
// With no such issuer it is unknown_issuer.
func issuerReason(chain, roots []*x509.Certificate) string {
	candidates := append(append([]*x509.Certificate{}, chain...), roots...)
	for _, cert := range chain {
		for _, issuer := range candidates {
			if issuer == cert || !bytes.Equal(issuer.RawSubject, cert.RawIssuer) ||
				len(cert.AuthorityKeyId) > 0 && len(issuer.SubjectKeyId) > 0 && !bytes.Equal(cert.AuthorityKeyId, issuer.SubjectKeyId) {
				continue
			}
			err := cert.CheckSignatureFrom(issuer)
			var violation x509.ConstraintViolationError
			switch {
			case err == nil:
				continue
			case errors.As(err, &violation):
				return "bad_usage"
			default:
				return "bad_signature"
			}
		}
	}
	return "unknown_issuer"
}
