//! `SelfSubjectAccessReview` (can I …?) and `SelfSubjectReview` (who am I?), answered for
//! the calling user from the same rules that authorise real requests, so `kubectl auth
//! can-i` and the cockpit's RBAC pre-checks agree with what the lab then enforces.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::path::Target;
use super::{Call, json};
use crate::lab::resources::{self, RESOURCES};
use crate::lab::status::ApiError;

pub fn serve(t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let mut review = call.json_body()?;
    if !review.is_object() {
        return Err(ApiError::bad_request("the review must be a JSON object"));
    }
    review["apiVersion"] = json!(res.api_version());
    review["kind"] = json!(res.kind);
    match res.kind {
        "SelfSubjectReview" => {
            review["status"] =
                json!({"userInfo": {"username": call.user.name(), "groups": call.user.groups()}});
        }
        "SelfSubjectAccessReview" => {
            let attrs = &review["spec"]["resourceAttributes"];
            let allowed = if attrs.is_object() {
                let verb = attrs["verb"].as_str().unwrap_or("");
                let group = attrs["group"].as_str().unwrap_or("");
                let plural = attrs["resource"].as_str().unwrap_or("");
                let sub = attrs["subresource"].as_str().filter(|s| !s.is_empty());
                // Kinds the lab does not serve are judged like any other kind (RBAC
                // answers for them too); "*" asks for everything, i.e. admin only.
                let kind = RESOURCES
                    .iter()
                    .find(|r| r.group == group && r.plural == plural);
                let verb = if verb == "*" || plural == "*" {
                    "delete"
                } else {
                    verb
                };
                call.user.may(verb, kind.unwrap_or(&RESOURCES[0]), sub)
            } else if review["spec"]["nonResourceAttributes"].is_object() {
                let verb = review["spec"]["nonResourceAttributes"]["verb"]
                    .as_str()
                    .unwrap_or("");
                call.user.may(verb, &RESOURCES[0], None)
            } else {
                return Err(ApiError::unprocessable(
                    "SelfSubjectAccessReview is invalid: spec: exactly one of resourceAttributes or nonResourceAttributes must be specified",
                ));
            };
            let reason = if allowed {
                format!("RBAC: allowed for user \"{}\"", call.user.name())
            } else {
                String::new()
            };
            review["status"] = json!({"allowed": allowed, "reason": reason});
        }
        other => return Err(ApiError::method_not_allowed(other)),
    }
    Ok(json(StatusCode::CREATED, &review))
}
