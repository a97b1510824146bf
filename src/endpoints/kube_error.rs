//! kube-rs errors in words an operator can act on, sorted into what they mean: the API
//! server said no (403), it could not be reached (refused, timed out, TLS, DNS — and
//! which), or it answered something else (a status, or a body that is not what was
//! asked for). Reads (panes) and writes (ops) word them the same way. Must not quote
//! request or response bodies (they can hold secret data), only the server's status.

/// What went wrong with a request to the API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeProblem {
    /// 403: the server answered, and the answer is no.
    Forbidden(String),
    /// No answer: the connection failed (how, in words).
    Unreachable(String),
    /// The server answered, with an error status or an unexpected body.
    Answered(String),
}

impl KubeProblem {
    pub fn words(&self) -> &str {
        match self {
            KubeProblem::Forbidden(w) | KubeProblem::Unreachable(w) | KubeProblem::Answered(w) => w,
        }
    }
}

/// Sorts and words `e`.
pub fn classify(e: &kube::Error) -> KubeProblem {
    match e {
        kube::Error::Api(s) if s.code == 403 => {
            KubeProblem::Forbidden(format!("forbidden: {}", s.message))
        }
        kube::Error::Api(s) => {
            KubeProblem::Answered(format!("{} ({}): {}", s.reason, s.code, s.message))
        }
        // The body arrived but is not the object asked for: a proxy's page, another
        // API's answer, a server speaking another version. Not a connection problem.
        kube::Error::SerdeError(err) => KubeProblem::Answered(format!(
            "the API server answered with something that is not the expected object ({err}) — is the server URL right, and nothing (a proxy, a login page) answering in its place?"
        )),
        kube::Error::HyperError(_)
        | kube::Error::Service(_)
        | kube::Error::RustlsTls(_)
        | kube::Error::Auth(_)
        | kube::Error::ReadEvents(_) => KubeProblem::Unreachable(transport(e)),
        other => KubeProblem::Answered(shorten(&other.to_string())),
    }
}

/// `(forbidden, words)`, the way panes show a failing source.
pub fn explain(e: &kube::Error) -> (bool, String) {
    match classify(e) {
        KubeProblem::Forbidden(w) => (true, w),
        other => (false, other.words().to_string()),
    }
}

/// A failed connection in words: walks the error chain for the cause a person knows
/// (refused, timed out, reset, name not found, certificate not trusted).
fn transport(e: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = Vec::new();
    let mut io_kind = None;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            io_kind = io_kind.or(Some(io.kind()));
        }
        chain.push(c.to_string());
        cause = c.source();
    }
    let text = chain.join(": ").to_ascii_lowercase();
    use std::io::ErrorKind as K;
    let words = match io_kind {
        Some(K::ConnectionRefused) => {
            "connection refused (nothing listens at that address and port)"
        }
        Some(K::TimedOut) => {
            "connection timed out (the server does not answer: down, or a firewall)"
        }
        Some(K::ConnectionReset) => {
            "the connection was reset by the server or something in between"
        }
        Some(K::ConnectionAborted) => "the connection was aborted",
        Some(K::NetworkUnreachable) | Some(K::HostUnreachable) => {
            "no route to the server (network unreachable)"
        }
        Some(K::UnexpectedEof) | Some(K::BrokenPipe) => "the connection was closed mid-request",
        _ if text.contains("refused") => {
            "connection refused (nothing listens at that address and port)"
        }
        _ if text.contains("timed out") || text.contains("elapsed") => {
            "connection timed out (the server does not answer: down, or a firewall)"
        }
        _ if text.contains("dns") || text.contains("lookup") || text.contains("resolve") => {
            "the server's name does not resolve (DNS)"
        }
        _ if text.contains("certificate") || text.contains("tls") || text.contains("handshake") => {
            return format!(
                "TLS failed: {} — check the kubeconfig's certificate-authority for this cluster",
                last(&chain)
            );
        }
        _ => return shorten(&last(&chain)),
    };
    words.to_string()
}

/// The innermost message of a chain: the one that names the cause.
fn last(chain: &[String]) -> String {
    chain.last().cloned().unwrap_or_default()
}

/// Long messages (hyper's chains) cut to what fits a pane title, on a char boundary.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 160;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn io(kind: std::io::ErrorKind) -> kube::Error {
        kube::Error::Service(Box::new(std::io::Error::new(kind, "inner")))
    }

    #[test]
    fn connection_failures_are_unreachable_in_words() {
        assert_eq!(
            classify(&io(std::io::ErrorKind::ConnectionRefused)),
            KubeProblem::Unreachable(
                "connection refused (nothing listens at that address and port)".into()
            )
        );
        assert!(
            classify(&io(std::io::ErrorKind::TimedOut))
                .words()
                .starts_with("connection timed out")
        );
        let tls = kube::Error::Service("invalid peer certificate: UnknownIssuer".into());
        assert!(
            classify(&tls)
                .words()
                .starts_with("TLS failed: invalid peer certificate")
        );
    }

    #[test]
    fn an_unexpected_body_is_an_answer_not_an_outage() {
        let err =
            serde_json::from_str::<k8s_openapi::api::autoscaling::v1::Scale>("[1]").unwrap_err();
        let p = classify(&kube::Error::SerdeError(err));
        assert!(matches!(p, KubeProblem::Answered(_)), "{p:?}");
        assert!(p.words().contains("not the expected object"), "{p:?}");
    }

    #[test]
    fn a_403_is_forbidden_and_other_statuses_are_answers() {
        let status = |code: u16| {
            kube::Error::Api(Box::new(kube::core::Status {
                code,
                reason: "Forbidden".into(),
                message: "pods is forbidden".into(),
                ..Default::default()
            }))
        };
        assert_eq!(
            explain(&status(403)),
            (true, "forbidden: pods is forbidden".into())
        );
        assert!(matches!(classify(&status(500)), KubeProblem::Answered(_)));
    }
}
