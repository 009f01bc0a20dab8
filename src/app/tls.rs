//! LAN over TLS (issue 24): the store's own CA and the till's server certificate.
//!
//! The CA is made once per store (`storepos init`, or the first LAN start of an older
//! store): an ECDSA P-256 key in `DATA/lan-ca.key` (mode 0600) and its certificate in
//! `DATA/lan-ca.crt`. iPads trust it once (the `.crt`, or the iOS profile with it as a
//! `com.apple.security.root` payload, both offered by the till). The server certificate is
//! issued by that CA in memory at every LAN start, for every non-loopback address of the
//! machine plus `localhost`, and issued again when the addresses change or it ages: a
//! till moved to another Wi-Fi keeps working without anyone touching the iPads.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use sha2::{Digest, Sha256};

/// The CA certificate (PEM) in the data dir.
pub const CA_CERT_FILE: &str = "lan-ca.crt";
/// The CA private key (PEM, mode 0600) in the data dir.
pub const CA_KEY_FILE: &str = "lan-ca.key";

/// How long the CA is valid (the iPads trust it that long).
const CA_YEARS: i32 = 20;
/// A server certificate's life: Apple refuses more than 825 days even from a user's own
/// root, and browsers like a year or less.
const SERVER_CERT_DAYS: i64 = 397;
/// Issue the server certificate again this long before it ends.
const RENEW_DAYS_BEFORE: i64 = 30;
/// How often a handshake may look at the machine's addresses.
const ADDRESS_CHECK_EVERY: Duration = Duration::from_secs(10);

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the store CA files in {dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("the store CA in {dir} is damaged ({what}); move {key} and {cert} away to make a new one (every iPad must then trust the new one)")]
    Damaged { dir: String, what: String, key: &'static str, cert: &'static str },
    #[error("certificate: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The store CA: its key (to issue the till's certificate) and its certificate (what iPads
/// trust).
pub struct StoreCa {
    key: KeyPair,
    params: CertificateParams,
    der: Vec<u8>,
    pem: String,
}

impl std::fmt::Debug for StoreCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreCa").field("fingerprint", &self.fingerprint()).finish()
    }
}

/// The CA's name, derived from its key so that issuing later (from the key file alone)
/// names the same issuer the stored certificate names.
fn ca_params(key: &KeyPair, today: chrono::NaiveDate) -> CertificateParams {
    use chrono::Datelike;
    let id = hex::encode(&Sha256::digest(key.public_key_raw())[..4]).to_ascii_uppercase();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "storepos");
    dn.push(DnType::CommonName, format!("storepos store CA {id}"));
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    p.not_before = rcgen::date_time_ymd(today.year(), today.month() as u8, today.day() as u8);
    p.not_after = rcgen::date_time_ymd(today.year() + CA_YEARS, today.month() as u8, today.day().min(28) as u8);
    p
}

impl StoreCa {
    /// Reads the store CA from `dir`, or makes it there when neither file exists.
    ///
    /// Errors: a file cannot be read or written; only one of the two exists, or they do
    /// not parse (the CA is never silently replaced: every iPad trusts this one).
    pub fn load_or_create(dir: &Path) -> Result<StoreCa, TlsError> {
        let (kp, cp) = (dir.join(CA_KEY_FILE), dir.join(CA_CERT_FILE));
        let io = |source| TlsError::Io { dir: dir.display().to_string(), source };
        let damaged = |what: &str| TlsError::Damaged {
            dir: dir.display().to_string(),
            what: what.to_string(),
            key: CA_KEY_FILE,
            cert: CA_CERT_FILE,
        };
        match (kp.exists(), cp.exists()) {
            (false, false) => {
                let key = KeyPair::generate()?;
                let params = ca_params(&key, chrono::Utc::now().date_naive());
                let cert = params.self_signed(&key)?;
                crate::app::config::write_private(&kp, key.serialize_pem().as_bytes()).map_err(io)?;
                crate::app::config::write_private(&cp, cert.pem().as_bytes()).map_err(io)?;
                tracing::info!(fingerprint = %fingerprint_of(cert.der()), "store CA created");
                Ok(StoreCa { key, params, der: cert.der().to_vec(), pem: cert.pem() })
            }
            (true, true) => {
                let key_pem = std::fs::read_to_string(&kp).map_err(io)?;
                let pem = std::fs::read_to_string(&cp).map_err(io)?;
                let key = KeyPair::from_pem(&key_pem).map_err(|_| damaged("the key does not parse"))?;
                let der = pem_to_der(&pem).ok_or_else(|| damaged("the certificate does not parse"))?;
                // Dates do not matter for issuing: only the name, the key id and the key.
                let params = ca_params(&key, chrono::Utc::now().date_naive());
                Ok(StoreCa { key, params, der, pem })
            }
            _ => Err(damaged("one of the two files is missing")),
        }
    }

    /// SHA-256 of the certificate, `AB:CD:…` (what iOS shows under 证书信任设置 → 更多详细信息).
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.der)
    }

    /// The certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Issues a server certificate for `ips` and `localhost`, valid from yesterday (clock
    /// skew between till and iPad) for 397 days (Apple allows at most 825).
    pub fn issue_server(&self, ips: &[IpAddr], today: chrono::NaiveDate) -> Result<Arc<CertifiedKey>, TlsError> {
        use chrono::Datelike;
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "storepos");
        dn.push(DnType::CommonName, "storepos till");
        p.distinguished_name = dn;
        p.subject_alt_names = std::iter::once(SanType::DnsName("localhost".try_into()?))
            .chain(ips.iter().map(|ip| SanType::IpAddress(*ip)))
            .collect();
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
        let from = today - chrono::Duration::days(1);
        let to = from + chrono::Duration::days(SERVER_CERT_DAYS);
        p.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day() as u8);
        p.not_after = rcgen::date_time_ymd(to.year(), to.month() as u8, to.day() as u8);
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = p.signed_by(&key, &issuer)?;
        let chain = vec![CertificateDer::from(cert.der().to_vec()), CertificateDer::from(self.der.clone())];
        let pk = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signer = rustls::crypto::ring::sign::any_supported_type(&pk)?;
        Ok(Arc::new(CertifiedKey::new(chain, signer)))
    }

    /// The iOS configuration profile installing this CA as a trusted root
    /// (`com.apple.security.root`). iOS then asks to switch on full trust under
    /// 设置 → 通用 → 关于本机 → 证书信任设置.
    pub fn mobileconfig(&self, store_name: &str) -> String {
        use base64::Engine;
        let fp = Sha256::digest(&self.der);
        let uuid = |salt: u8| {
            let mut b = [0u8; 16];
            b.copy_from_slice(&fp[..16]);
            b[0] ^= salt;
            uuid::Builder::from_random_bytes(b).into_uuid().to_string().to_ascii_uppercase()
        };
        let (outer, inner) = (uuid(0), uuid(1));
        let data = base64::engine::general_purpose::STANDARD.encode(&self.der);
        let name = xml_escape(store_name);
        let id = hex::encode(&fp[..8]);
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>PayloadCertificateFileName</key>
			<string>storepos-ca.crt</string>
			<key>PayloadContent</key>
			<data>{data}</data>
			<key>PayloadDescription</key>
			<string>storepos 门店根证书：让本店平板信任收银台的加密连接</string>
			<key>PayloadDisplayName</key>
			<string>storepos 门店根证书（{name}）</string>
			<key>PayloadIdentifier</key>
			<string>app.storepos.ca.{id}.root</string>
			<key>PayloadType</key>
			<string>com.apple.security.root</string>
			<key>PayloadUUID</key>
			<string>{inner}</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
		</dict>
	</array>
	<key>PayloadDescription</key>
	<string>安装后，本平板可通过加密连接（HTTPS）访问收银台。SHA-256 指纹：{fp}</string>
	<key>PayloadDisplayName</key>
	<string>storepos 收银台（{name}）</string>
	<key>PayloadIdentifier</key>
	<string>app.storepos.ca.{id}</string>
	<key>PayloadRemovalDisallowed</key>
	<false/>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>{outer}</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>
"#,
            fp = self.fingerprint()
        )
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn fingerprint_of(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// The DER inside a one-certificate PEM.
fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "-----BEGIN CERTIFICATE-----")
        .skip(1)
        .take_while(|l| *l != "-----END CERTIFICATE-----")
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok().filter(|d| !d.is_empty())
}

/// Every address of the machine a LAN device may use to reach it: not loopback, not
/// link-local IPv6 (unusable in a URL without its interface), sorted, IPv4 first.
pub fn lan_addresses() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
        .filter(|ip| match ip {
            IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) != 0xfe80,
            IpAddr::V4(_) => true,
        })
        .collect();
    ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    ips.dedup();
    ips
}

struct Issued {
    ips: Vec<IpAddr>,
    key: Arc<CertifiedKey>,
    issued_on: chrono::NaiveDate,
    checked: Instant,
}

/// Hands every handshake the current server certificate, issuing a new one when the
/// machine's addresses changed (looked at no more than every few seconds) or it ages.
pub struct TillCertificate {
    ca: Arc<StoreCa>,
    /// Where the machine's addresses come from ([`lan_addresses`]; a test's list in tests).
    addresses: fn() -> Vec<IpAddr>,
    check_every: Duration,
    /// Extra names the listener itself is bound to (a specific address, even loopback).
    bound: Vec<IpAddr>,
    current: Mutex<Issued>,
}

impl std::fmt::Debug for TillCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TillCertificate").finish_non_exhaustive()
    }
}

impl TillCertificate {
    /// Issues the first certificate now (so a broken CA fails the LAN start, not a handshake).
    pub fn new(ca: Arc<StoreCa>, bound: Option<IpAddr>) -> Result<TillCertificate, TlsError> {
        Self::with_addresses(ca, bound, lan_addresses, ADDRESS_CHECK_EVERY)
    }

    fn with_addresses(
        ca: Arc<StoreCa>,
        bound: Option<IpAddr>,
        addresses: fn() -> Vec<IpAddr>,
        check_every: Duration,
    ) -> Result<TillCertificate, TlsError> {
        let bound: Vec<IpAddr> = bound.filter(|ip| !ip.is_unspecified()).into_iter().collect();
        let ips = Self::names(addresses, &bound);
        let today = chrono::Utc::now().date_naive();
        let key = ca.issue_server(&ips, today)?;
        tracing::info!(names = ips.len(), "LAN certificate issued");
        Ok(TillCertificate {
            ca,
            addresses,
            check_every,
            bound,
            current: Mutex::new(Issued { ips, key, issued_on: today, checked: Instant::now() }),
        })
    }

    fn names(addresses: fn() -> Vec<IpAddr>, bound: &[IpAddr]) -> Vec<IpAddr> {
        let mut ips = addresses();
        for b in bound {
            if !ips.contains(b) {
                ips.push(*b);
            }
        }
        ips
    }

    /// The addresses the current certificate names.
    pub fn ips(&self) -> Vec<IpAddr> {
        self.current.lock().unwrap_or_else(|p| p.into_inner()).ips.clone()
    }

    fn current(&self) -> Arc<CertifiedKey> {
        let mut cur = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if cur.checked.elapsed() >= self.check_every {
            cur.checked = Instant::now();
            let ips = Self::names(self.addresses, &self.bound);
            let today = chrono::Utc::now().date_naive();
            let old = today - cur.issued_on >= chrono::Duration::days(SERVER_CERT_DAYS - 1 - RENEW_DAYS_BEFORE);
            if ips != cur.ips || old {
                match self.ca.issue_server(&ips, today) {
                    Ok(key) => {
                        tracing::info!(names = ips.len(), "LAN certificate issued again (addresses changed or aged)");
                        *cur = Issued { ips, key, issued_on: today, checked: Instant::now() };
                    }
                    Err(e) => tracing::warn!("could not issue the LAN certificate again: {e}"),
                }
            }
        }
        cur.key.clone()
    }
}

impl ResolvesServerCert for TillCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// The rustls configuration of the LAN listener (TLS 1.2 and 1.3, ring, HTTP/1.1).
pub fn server_config(cert: Arc<TillCertificate>) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(cert);
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_made_once_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = StoreCa::load_or_create(dir.path()).unwrap();
        let b = StoreCa::load_or_create(dir.path()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint(), "the second start reads the same CA");
        assert_eq!(a.fingerprint().len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(CA_KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the till's user may read the CA key");
        }
        std::fs::remove_file(dir.path().join(CA_CERT_FILE)).unwrap();
        assert!(
            matches!(StoreCa::load_or_create(dir.path()), Err(TlsError::Damaged { .. })),
            "a half CA is never silently replaced"
        );
    }

    static MACHINE: Mutex<Vec<IpAddr>> = Mutex::new(Vec::new());
    fn machine() -> Vec<IpAddr> {
        MACHINE.lock().unwrap().clone()
    }

    /// The end-entity certificate's DER names `ip` (its octets appear in the SAN).
    fn names_ip(key: &CertifiedKey, ip: [u8; 4]) -> bool {
        key.cert[0].as_ref().windows(4).any(|w| w == ip)
    }

    #[test]
    fn the_till_certificate_follows_the_machine_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let ca = Arc::new(StoreCa::load_or_create(dir.path()).unwrap());
        *MACHINE.lock().unwrap() = vec!["10.9.8.7".parse().unwrap()];
        let till = TillCertificate::with_addresses(ca, None, machine, Duration::ZERO).unwrap();
        let first = till.current();
        assert!(names_ip(&first, [10, 9, 8, 7]), "the certificate names the machine's address");
        assert_eq!(first.cert.len(), 2, "the chain carries the store CA");
        assert!(Arc::ptr_eq(&first, &till.current()), "same addresses, same certificate");
        *MACHINE.lock().unwrap() = vec!["10.9.8.7".parse().unwrap(), "192.168.31.20".parse().unwrap()];
        let second = till.current();
        assert!(!Arc::ptr_eq(&first, &second), "a new address, a new certificate");
        assert!(names_ip(&second, [192, 168, 31, 20]) && names_ip(&second, [10, 9, 8, 7]));
        assert_eq!(till.ips().len(), 2);
    }

    #[test]
    fn the_profile_carries_the_ca_as_a_root_payload() {
        use base64::Engine;
        let dir = tempfile::tempdir().unwrap();
        let ca = StoreCa::load_or_create(dir.path()).unwrap();
        let p = ca.mobileconfig("A&B 店");
        assert!(p.contains("<string>com.apple.security.root</string>"));
        assert!(p.contains("A&amp;B 店"), "names are escaped");
        let data = p.split("<data>").nth(1).unwrap().split("</data>").next().unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(data).unwrap(), ca.der());
    }
}
