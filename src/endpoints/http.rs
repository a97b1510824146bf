//! HTTP to the platform endpoints (Prometheus, Alertmanager, Trino): one
//! [`HttpEndpoint`] per configured endpoint, built from its [`EndpointConfig`] — a URL
//! with its own CA, timeout and credentials, or a Kubernetes service reached through
//! the API server's service proxy with the kubeconfig's credentials ([`ProxyAccess`]).
//!
//! Owns transport concerns only: TLS, auth headers, timeouts, a cap on response size
//! and turning every failure into one line that names the endpoint and says what to
//! do. It knows nothing of what the responses mean, and never logs or returns a secret.

use std::time::Duration;

use base64::Engine;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::ExposeSecret;

use crate::config::platform::{EndpointAuth, EndpointConfig, EndpointTarget};

/// Larger bodies are refused rather than buffered: a cockpit reading a runaway
/// response (a mistaken URL serving a file, a query matching millions of series) must
/// not eat the bastion's memory.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How to reach the API server's service proxy: the cluster URL, its CA and the
/// kubeconfig user's credentials, taken from the kube client configuration.
#[derive(Clone)]
pub struct ProxyAccess {
    pub server: String,
    pub roots_der: Vec<Vec<u8>>,
    pub accept_invalid_certs: bool,
    credentials: ProxyCredentials,
}

#[derive(Clone)]
enum ProxyCredentials {
    None,
    Bearer(String),
    Basic(String, String),
    /// Client certificate and key, PEM.
    Identity(Vec<u8>),
    /// Why these credentials cannot be reused outside kube's own client.
    Unsupported(String),
}

impl ProxyAccess {
    pub fn from_kube_config(config: &kube::Config) -> ProxyAccess {
        let auth = &config.auth_info;
        let read = |data: Option<&str>, file: Option<&String>| -> Result<Option<Vec<u8>>, String> {
            if let Some(data) = data {
                return base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map(Some)
                    .map_err(|e| format!("client certificate data is not base64: {e}"));
            }
            match file {
                Some(path) => std::fs::read(path)
                    .map(Some)
                    .map_err(|e| format!("cannot read {path}: {e}")),
                None => Ok(None),
            }
        };
        let credentials = if let Some(token) = &auth.token {
            ProxyCredentials::Bearer(token.expose_secret().to_string())
        } else if let Some(file) = &auth.token_file {
            match std::fs::read_to_string(file) {
                Ok(token) => ProxyCredentials::Bearer(token.trim().to_string()),
                Err(e) => {
                    ProxyCredentials::Unsupported(format!("cannot read token file {file}: {e}"))
                }
            }
        } else if auth.client_certificate.is_some() || auth.client_certificate_data.is_some() {
            let cert = read(
                auth.client_certificate_data.as_deref(),
                auth.client_certificate.as_ref(),
            );
            let key = read(
                auth.client_key_data.as_ref().map(|k| k.expose_secret()),
                auth.client_key.as_ref(),
            );
            match (cert, key) {
                (Ok(Some(mut cert)), Ok(Some(key))) => {
                    cert.push(b'\n');
                    cert.extend(key);
                    ProxyCredentials::Identity(cert)
                }
                (Err(e), _) | (_, Err(e)) => ProxyCredentials::Unsupported(e),
                _ => ProxyCredentials::Unsupported(
                    "the kubeconfig user has a client certificate but no key".into(),
                ),
            }
        } else if let (Some(user), Some(password)) = (&auth.username, &auth.password) {
            ProxyCredentials::Basic(user.clone(), password.expose_secret().to_string())
        } else if auth.exec.is_some() || auth.auth_provider.is_some() {
            ProxyCredentials::Unsupported(
                "the kubeconfig user authenticates through an exec/auth-provider plugin, which service: endpoints cannot reuse; give the endpoint's URL instead".into(),
            )
        } else {
            ProxyCredentials::None
        };
        ProxyAccess {
            server: config
                .cluster_url
                .to_string()
                .trim_end_matches('/')
                .to_string(),
            roots_der: config.root_cert.clone().unwrap_or_default(),
            accept_invalid_certs: config.accept_invalid_certs,
            credentials,
        }
    }
}

/// Whether `url` is plain HTTP to anything but this machine's loopback: credentials sent
/// there cross the network in clear text, readable and reusable by anyone on the path.
/// kubectl (client-go) likewise sends no bearer token to a plain-HTTP server.
pub fn is_cleartext_remote(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    if !uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("http"))
    {
        return false;
    }
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !loopback
}

/// The refusal for credentials that would go to `url` in clear text; `what` names them.
pub fn cleartext_refusal(what: &str, url: &str) -> String {
    format!(
        "refusing to send {what} in clear text to {url}: it is plain HTTP and not on this machine, so anyone on the network path could read and reuse them — use the server's https:// address, or a tunnel that ends on 127.0.0.1 (e.g. `kubectl proxy` or `ssh -L`)"
    )
}

/// A ready endpoint: where requests go and the client that sends them.
#[derive(Clone)]
pub struct HttpEndpoint {
    /// "Prometheus at https://…" — the prefix of every error about it.
    pub label: String,
    /// Base URL without a trailing slash; API paths are appended.
    pub base_url: String,
    pub client: reqwest::Client,
}

impl HttpEndpoint {
    /// Builds the client for `config`; `what` names the service in messages
    /// ("Prometheus"). Fails with a clear message for unreadable CA files or secrets.
    pub fn build(
        what: &str,
        config: &EndpointConfig,
        proxy: Option<&ProxyAccess>,
        default_timeout_secs: u64,
    ) -> Result<HttpEndpoint, String> {
        use_ring_crypto();
        let label = format!("{what} at {}", config.target);
        let fail = |e: String| format!("{label}: {e}");
        let timeout = Duration::from_secs(config.timeout_secs.unwrap_or(default_timeout_secs));
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("lakedeck/", env!("CARGO_PKG_VERSION")));
        let mut headers = HeaderMap::new();
        let base_url = match &config.target {
            EndpointTarget::Url(url) => url.clone(),
            EndpointTarget::Service {
                namespace,
                name,
                port,
            } => {
                let proxy = proxy.ok_or_else(|| {
                    fail("a service: endpoint needs a Kubernetes connection".into())
                })?;
                for der in &proxy.roots_der {
                    let cert = reqwest::Certificate::from_der(der)
                        .map_err(|e| fail(format!("the kubeconfig's cluster CA: {e}")))?;
                    builder = builder.add_root_certificate(cert);
                }
                builder = builder.danger_accept_invalid_certs(proxy.accept_invalid_certs);
                match &proxy.credentials {
                    ProxyCredentials::None => {}
                    ProxyCredentials::Bearer(token) => {
                        headers.insert(AUTHORIZATION, secret_header(&format!("Bearer {token}"))?);
                    }
                    ProxyCredentials::Basic(user, password) => {
                        headers.insert(AUTHORIZATION, basic_header(user, password)?);
                    }
                    ProxyCredentials::Identity(pem) => {
                        let identity = reqwest::Identity::from_pem(pem).map_err(|e| {
                            fail(format!("the kubeconfig's client certificate: {e}"))
                        })?;
                        builder = builder.identity(identity);
                    }
                    ProxyCredentials::Unsupported(why) => return Err(fail(why.clone())),
                }
                format!(
                    "{}/api/v1/namespaces/{namespace}/services/{name}:{port}/proxy",
                    proxy.server
                )
            }
        };
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                fail(format!(
                    "cannot read ca_file {}: {e} — fix the path in the config",
                    path.display()
                ))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                fail(format!(
                    "ca_file {} is not a PEM certificate: {e}",
                    path.display()
                ))
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if config.insecure_skip_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if !matches!(config.auth, EndpointAuth::None) && is_cleartext_remote(&base_url) {
            return Err(fail(cleartext_refusal(
                "this endpoint's credentials",
                &base_url,
            )));
        }
        match &config.auth {
            EndpointAuth::None => {}
            EndpointAuth::Bearer(token) => {
                let token = token
                    .read()
                    .map_err(|e| fail(format!("bearer token: {e}")))?;
                headers.insert(AUTHORIZATION, secret_header(&format!("Bearer {token}"))?);
            }
            EndpointAuth::Basic { username, password } => {
                let password = password
                    .read()
                    .map_err(|e| fail(format!("basic_auth password: {e}")))?;
                headers.insert(AUTHORIZATION, basic_header(username, &password)?);
            }
        }
        let client = builder
            .default_headers(headers)
            .build()
            .map_err(|e| fail(format!("cannot build an HTTP client: {e}")))?;
        Ok(HttpEndpoint {
            label,
            base_url,
            client,
        })
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends `request` and reads the body (at most [`MAX_BODY_BYTES`]); a transport
    /// failure becomes a message naming this endpoint.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), String> {
        let response = request.send().await.map_err(|e| self.explain(&e))?;
        self.read(response).await
    }

    /// Reads a response this endpoint's client produced (e.g. through
    /// prometheus-http-query's `*_raw` calls).
    pub async fn read(&self, mut response: reqwest::Response) -> Result<(u16, Vec<u8>), String> {
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.explain(&e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(format!(
                    "{}: response larger than {} MiB, refused — narrow the query or check the URL",
                    self.label,
                    MAX_BODY_BYTES / (1024 * 1024)
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }

    /// GET `path` and parse JSON; non-2xx statuses and non-JSON bodies are errors that
    /// quote the start of what came back.
    pub async fn get_json(
        &self,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&'static str, String)],
    ) -> Result<serde_json::Value, String> {
        let mut request = self.client.get(self.url(path)).query(query);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let (status, body) = self.send(request).await?;
        if !(200..300).contains(&status) {
            return Err(self.status_error(status, &body));
        }
        self.parse_json(&body)
    }

    pub fn parse_json(&self, body: &[u8]) -> Result<serde_json::Value, String> {
        serde_json::from_slice(body).map_err(|e| {
            if looks_like_html(body) {
                format!(
                    "{}: answered with an HTML page, not JSON — is the URL right (a login page or a proxy in between?)",
                    self.label
                )
            } else if e.is_eof() {
                format!("{}: the response was cut off (truncated JSON)", self.label)
            } else {
                format!("{}: not valid JSON ({e}): {}", self.label, snippet(body))
            }
        })
    }

    /// An HTTP status as a sentence, with what usually causes it.
    pub fn status_error(&self, status: u16, body: &[u8]) -> String {
        let hint = match status {
            401 => {
                " — not authenticated: configure bearer_token_env/bearer_token_file or basic_auth for this endpoint"
            }
            403 => {
                " — forbidden: the credentials lack permission (for service: endpoints, RBAC on services/proxy)"
            }
            404 => " — not found: check the URL/path prefix (or that the service and port exist)",
            502..=504 => " — the endpoint (or the proxy in front of it) is unavailable",
            _ => "",
        };
        let body = if looks_like_html(body) {
            "(an HTML page)".to_string()
        } else {
            snippet(body)
        };
        format!("{}: HTTP {status}{hint}: {body}", self.label)
    }

    fn explain(&self, e: &reqwest::Error) -> String {
        let what = if e.is_timeout() {
            "timed out — the endpoint is slow or unreachable (raise http_timeout_secs or timeout_secs if it is just slow)".to_string()
        } else if e.is_connect() {
            format!(
                "cannot connect ({}) — check the URL and that the service is up",
                root_cause(e)
            )
        } else if e.is_decode() || e.is_body() {
            format!("the response broke off ({})", root_cause(e))
        } else {
            root_cause(e)
        };
        format!("{}: {what}", self.label)
    }
}

/// reqwest is built without a bundled crypto provider (the program uses ring
/// everywhere, not aws-lc); make ring the process default before any client is built.
/// Installing twice is harmless: the second attempt just reports the first.
pub fn use_ring_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn secret_header(value: &str) -> Result<HeaderValue, String> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        "the credential contains characters not allowed in an HTTP header".to_string()
    })?;
    header.set_sensitive(true);
    Ok(header)
}

fn basic_header(user: &str, password: &str) -> Result<HeaderValue, String> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    secret_header(&format!("Basic {encoded}"))
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&body[..body.len().min(256)]).to_ascii_lowercase();
    let start = start.trim_start();
    start.starts_with("<!doctype html") || start.starts_with("<html") || start.starts_with("<head")
}

/// The first line of a body, printable and short, for error messages.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(160)
        .collect();
    let line = line.trim();
    if line.is_empty() {
        "(empty body)".into()
    } else {
        line.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::config::platform::{EndpointTarget, SecretSource};

    #[test]
    fn plain_http_is_cleartext_unless_it_stays_on_this_machine() {
        for url in [
            "http://10.0.0.5:9090",
            "http://prometheus.example.com",
            "HTTP://0.0.0.0:80",
        ] {
            assert!(is_cleartext_remote(url), "{url}");
        }
        for url in [
            "https://10.0.0.5:9090",
            "http://127.0.0.1:8001",
            "http://127.9.9.9",
            "http://localhost:8001",
            "http://[::1]:8001",
        ] {
            assert!(!is_cleartext_remote(url), "{url}");
        }
    }

    #[test]
    fn an_endpoint_with_credentials_over_plain_http_is_refused_before_any_request() {
        let mut config = EndpointConfig::from_target(EndpointTarget::Url(
            "http://alertmanager.example.com:9093".into(),
        ));
        config.auth = EndpointAuth::Bearer(SecretSource::Env("LAKEDECK_TEST_UNSET_TOKEN".into()));
        let Err(e) = HttpEndpoint::build("Alertmanager", &config, None, 5) else {
            panic!("built an endpoint that would send a token in clear text");
        };
        assert!(
            e.contains("refusing to send this endpoint's credentials in clear text"),
            "{e}"
        );
        // Without credentials there is nothing to leak: plain HTTP is the user's call.
        config.auth = EndpointAuth::None;
        assert!(HttpEndpoint::build("Alertmanager", &config, None, 5).is_ok());
    }
}
