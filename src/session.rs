//! A connection for the commands that act without the TUI (`lakedeck runbook …`): the
//! kube client built the way kubectl would, the context's platform endpoints from the
//! config, the data directory and the write gate ([`Ops`]) with read-only mode decided
//! exactly as the cockpit decides it (flag or the context's `readonly: true`).
//! Must not print or exit: it returns the message and the exit code for the caller.

use std::path::PathBuf;
use std::sync::Arc;

use crate::audit::{self, AuditLog};
use crate::cockpit::{self, Target};
use crate::config::{Config, PlatformFlags};
use crate::endpoints::Platform;
use crate::ops::Ops;

/// What a headless command was given on its command line.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub config: Option<PathBuf>,
    pub readonly: bool,
    pub data_dir: Option<PathBuf>,
    pub flags: PlatformFlags,
}

pub struct Session {
    pub target: Target,
    pub config: Config,
    pub platform: Platform,
    pub ops: Arc<Ops>,
    pub data_dir: PathBuf,
    pub readonly: bool,
}

/// Why a session could not be opened: the message and the exit code (2 bad input,
/// 1 cannot connect).
#[derive(Debug)]
pub struct SessionError {
    pub code: i32,
    pub message: String,
}

impl Session {
    pub async fn open(options: &SessionOptions) -> Result<Session, SessionError> {
        let bad = |message: String| SessionError { code: 2, message };
        let (mut config, _) =
            Config::load(options.config.as_deref()).map_err(|e| bad(e.to_string()))?;
        // Like the cockpit: a kubeconfig written by `lakedeck lab` names its config.
        if options.config.is_none()
            && let Some(lab) = crate::startup::kubeconfig_file(options.kubeconfig.as_deref())
                .and_then(|k| crate::startup::lab_config_beside(&k, options.context.as_deref()))
        {
            config
                .layer_file(&lab, None)
                .map_err(|e| bad(e.to_string()))?;
        }
        let data_dir = audit::data_dir(options.data_dir.as_deref()).map_err(bad)?;
        let target = cockpit::connect(options.kubeconfig.as_ref(), options.context.as_deref())
            .await
            .map_err(|message| SessionError { code: 1, message })?;
        let context = target.connection.context.clone();
        let readonly = options.readonly || config.context(&context).readonly.unwrap_or(false);
        let platform = Platform::new(
            config.platform_for(&context, options.flags.clone()),
            &context,
            &target.proxy,
            target.client.clone(),
        );
        let ops = Arc::new(
            Ops::new(&platform, readonly, AuditLog::in_dir(&data_dir)).with_kubeconfig_user(
                cockpit::kubeconfig_user(target.kubeconfig.as_ref(), &context),
            ),
        );
        Ok(Session {
            target,
            config,
            platform,
            ops,
            data_dir,
            readonly,
        })
    }
}
