//! Why an operation did not happen, as one line a tired operator can act on, and the
//! mapping from Kubernetes API errors to those reasons. Must not include request or
//! response bodies that could hold secret data (only the API server's status message).

use thiserror::Error;

use crate::endpoints::kube_error::KubeProblem;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OpError {
    #[error("{0}")]
    ReadOnly(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid: {0}")]
    Invalid(String),
    /// The cluster or lakedeck's own safety rules said no (a disruption budget, a
    /// namespace that is not a drill namespace, a paused deployment…).
    #[error("refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Api(String),
    /// The audit record could not be written, so the write was not attempted.
    #[error("{0} — nothing was changed")]
    Audit(String),
}

impl OpError {
    /// Maps a kube error for `what` (e.g. `statefulset trino/trino-worker`).
    pub fn from_kube(what: &str, e: &kube::Error) -> OpError {
        match e {
            kube::Error::Api(s) => {
                let message = s.message.trim();
                match s.code {
                    401 => OpError::Forbidden(format!(
                        "{what}: the API server did not accept the credentials ({message}) — refresh your kubeconfig login"
                    )),
                    403 => OpError::Forbidden(format!(
                        "{what}: {message} — ask for the RBAC permission, or use a context that has it"
                    )),
                    404 => OpError::NotFound(format!(
                        "{what} does not exist ({message}) — check the name and namespace"
                    )),
                    409 => OpError::Api(format!(
                        "{what}: conflict: {message} — someone else changed it; look again and retry"
                    )),
                    422 | 400 => OpError::Invalid(format!("{what}: {message}")),
                    429 => OpError::Refused(format!("{what}: {message}")),
                    code => OpError::Api(format!("{what}: {} ({code}): {message}", s.reason)),
                }
            }
            other => match crate::endpoints::kube_error::classify(other) {
                KubeProblem::Unreachable(why) => OpError::Unavailable(format!(
                    "{what}: cannot reach the Kubernetes API: {why} — check the connection to the cluster and retry"
                )),
                problem => OpError::Api(format!("{what}: {}", problem.words())),
            },
        }
    }
}
