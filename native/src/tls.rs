//! TLS 1.3 with raw node identities: no CA and no host names. Each side presents a self-signed
//! certificate made in C#; rustls still checks the handshake signature (proof that the peer holds
//! the key), and whether the key is the expected node is decided in C# through the verify
//! callback. The server asks every client for a certificate so it learns the client's node id.

use std::sync::Arc;
use std::time::SystemTime;

use rustls::client::{ServerCertVerified, ServerCertVerifier, ServerName};
use rustls::server::{ClientCertVerified, ClientCertVerifier};
use rustls::{Certificate, DistinguishedNames, Error, PrivateKey};

use crate::ops::CALLBACKS;

fn ask_csharp(context: u64, certificate: &Certificate) -> Result<(), Error> {
    let callbacks = CALLBACKS.get().ok_or_else(|| Error::General("transport not initialised".into()))?;
    if (callbacks.verify)(context, certificate.0.as_ptr(), certificate.0.len()) == 1 {
        Ok(())
    } else {
        Err(Error::General("the peer is not the node that was expected".into()))
    }
}

/// The connecting side: the server must be the node the caller named (checked in C#).
pub struct ExpectedNode {
    pub context: u64,
}

impl ServerCertVerifier for ExpectedNode {
    fn verify_server_cert(
        &self,
        end_entity: &Certificate,
        _intermediates: &[Certificate],
        _server_name: &ServerName,
        _scts: &mut dyn Iterator<Item = &[u8]>,
        _ocsp_response: &[u8],
        _now: SystemTime,
    ) -> Result<ServerCertVerified, Error> {
        ask_csharp(self.context, end_entity).map(|_| ServerCertVerified::assertion())
    }

    fn request_scts(&self) -> bool {
        false
    }
}

/// The accepting side: any well-formed certificate whose key signs the handshake; C# reads the
/// client's node id from it afterwards and authorises by that.
pub struct AnyClientKey;

impl ClientCertVerifier for AnyClientKey {
    fn client_auth_mandatory(&self) -> Option<bool> {
        Some(true)
    }

    fn client_auth_root_subjects(&self) -> Option<DistinguishedNames> {
        Some(Vec::new())
    }

    fn verify_client_cert(
        &self,
        end_entity: &Certificate,
        _intermediates: &[Certificate],
        _now: SystemTime,
    ) -> Result<ClientCertVerified, Error> {
        ask_csharp(0, end_entity).map(|_| ClientCertVerified::assertion())
    }
}

pub fn server_config(
    certificate: Certificate,
    key: PrivateKey,
    alpns: Vec<Vec<u8>>,
    transport: Arc<quinn::TransportConfig>,
) -> Result<quinn::ServerConfig, Error> {
    let mut crypto = rustls::ServerConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(Arc::new(AnyClientKey))
        .with_single_cert(vec![certificate], key)?;
    crypto.alpn_protocols = alpns;
    crypto.max_early_data_size = 0;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    config.transport_config(transport);
    Ok(config)
}

pub fn client_config(
    certificate: Certificate,
    key: PrivateKey,
    alpn: Vec<u8>,
    verify_context: u64,
    transport: Arc<quinn::TransportConfig>,
) -> Result<quinn::ClientConfig, Error> {
    let mut crypto = rustls::ClientConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_custom_certificate_verifier(Arc::new(ExpectedNode { context: verify_context }))
        .with_single_cert(vec![certificate], key)?;
    crypto.alpn_protocols = vec![alpn];
    let mut config = quinn::ClientConfig::new(Arc::new(crypto));
    config.transport_config(transport);
    Ok(config)
}
