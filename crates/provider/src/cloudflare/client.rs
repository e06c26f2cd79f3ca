//! The Cloudflare side of the HTTP client: bearer auth and the v4 envelope.
//! Timeouts, body limits, no redirects, the request budget and retries with
//! backoff (429 honouring `Retry-After`, 5xx, dropped connections) are the
//! shared layer's, [`crate::http`].

use super::api::{parse_envelope, ApiMessage, Envelope};
use crate::http::{self, HttpError};
use crate::secret::Secret;
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

pub use crate::http::{parse_ratelimit, Budget, RetryPolicy};

/// Why a call failed, after retries.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CallError {
    /// The API answered with an error (status and envelope errors).
    Api {
        /// The HTTP status.
        status: u16,
        /// The envelope's errors.
        errors: Vec<ApiMessage>,
        /// An earlier attempt may have been applied.
        retried_ambiguous: bool,
    },
    /// No usable answer: connection refused or dropped, timeout, a redirect,
    /// an oversized body.
    Http(HttpError),
    /// An answer that is not a Cloudflare envelope.
    Malformed {
        /// The HTTP status.
        status: u16,
        /// What is wrong with the body.
        detail: String,
    },
}

impl CallError {
    /// True when an earlier attempt may have been applied, so that the state
    /// must be read again before deciding what is left to do.
    pub fn ambiguous(&self) -> bool {
        match self {
            CallError::Api {
                retried_ambiguous,
                status,
                ..
            } => *retried_ambiguous || *status >= 500,
            CallError::Http(e) => e.ambiguous,
            CallError::Malformed { status, .. } => *status >= 500,
        }
    }

    /// Whether Cloudflare answered with this error code.
    pub fn has_code(&self, code: i64) -> bool {
        matches!(self, CallError::Api { errors, .. } if errors.iter().any(|e| e.code == code))
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Api { status, .. } | CallError::Malformed { status, .. } => Some(*status),
            CallError::Http(_) => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Api { status, errors, .. } if errors.is_empty() => {
                write!(f, "HTTP {status}")
            }
            CallError::Api { status, errors, .. } => {
                let list: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{} (code {})", e.message, e.code))
                    .collect();
                write!(f, "HTTP {status}: {}", list.join("; "))
            }
            CallError::Http(e) => write!(f, "{e}"),
            CallError::Malformed { status, detail } => {
                write!(f, "malformed answer (HTTP {status}): {detail}")
            }
        }
    }
}

/// The HTTP client of one provider.
pub struct Client {
    http: http::Client,
    base: String,
    token: Secret,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// `name` is the provider's name in `dnsctl.yaml`, for notices.
    pub fn new(
        name: &str,
        base: &str,
        token: Secret,
        timeout: Duration,
        budget: Arc<Budget>,
        policy: RetryPolicy,
        notice: http::Notice,
    ) -> Result<Client, String> {
        let mut settings = http::Settings::new(format!("{name} (cloudflare)"), timeout, policy);
        settings.budget = Some(budget);
        settings.notice = notice;
        Ok(Client {
            http: http::Client::new(settings)?,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.http.requests_sent()
    }

    /// One API call with retries. The envelope is returned only on success.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Envelope, CallError> {
        let url = format!("{}{path}", self.base);
        let reply = self
            .http
            .send(&format!("{method} {path}"), |c| {
                let mut req = c
                    .request(method.clone(), &url)
                    .bearer_auth(self.token.expose());
                if !query.is_empty() {
                    req = req.query(query);
                }
                if let Some(b) = body {
                    req = req.json(b);
                }
                req
            })
            .await
            .map_err(CallError::Http)?;
        let (status, ambiguous) = (reply.status, reply.retried_ambiguous);
        let env = parse_envelope(&reply.body);
        if status >= 500 {
            return Err(match env {
                Ok(e) => CallError::Api {
                    status,
                    errors: e.errors,
                    retried_ambiguous: true,
                },
                Err(detail) => CallError::Malformed { status, detail },
            });
        }
        if status == 429 {
            let errors = env.map(|e| e.errors).unwrap_or_default();
            return Err(CallError::Api {
                status,
                errors,
                retried_ambiguous: ambiguous,
            });
        }
        let env = env.map_err(|detail| CallError::Malformed { status, detail })?;
        if !(200..300).contains(&status) || !env.success {
            return Err(CallError::Api {
                status,
                errors: env.errors,
                retried_ambiguous: ambiguous,
            });
        }
        Ok(env)
    }
}
