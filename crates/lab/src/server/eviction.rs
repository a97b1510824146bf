//! `POST …/pods/<name>/eviction` (policy/v1 or v1beta1 `Eviction`): a pod delete that
//! asks its PodDisruptionBudget first, as the API server's eviction REST does — 201 and a
//! graceful delete when the budget allows it (the allowance is decremented and the pod
//! recorded in `status.disruptedPods`), 429 TooManyRequests with a `DisruptionBudget`
//! cause when it does not. Honours `dryRun=All` in the query or the Eviction's
//! `deleteOptions`. The budgets' status comes from `sim::disruption`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::path::Target;
use super::{Call, json};
use crate::clock::rfc3339;
use crate::resources::{self, ids};
use crate::semantics;
use crate::sim::disruption::{budgets_for, pod_ready};
use crate::status::ApiError;
use crate::store::Store;

const VIOLATION: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

fn blocked(cause: String) -> ApiError {
    ApiError::too_many_requests(VIOLATION, vec![("DisruptionBudget".into(), cause)])
}

pub fn serve(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let pods = resources::get(ids::pods());
    let ns = t.namespace.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let eviction = call.json_body()?;
    if !eviction.is_object() {
        return Err(ApiError::bad_request("the Eviction must be a JSON object"));
    }
    match (eviction["apiVersion"].as_str(), eviction["kind"].as_str()) {
        (Some("policy/v1" | "policy/v1beta1") | None, Some("Eviction") | None) => {}
        (v, k) => {
            return Err(ApiError::bad_request(format!(
                "the body must be a policy/v1 Eviction, not {} {}",
                v.unwrap_or("?"),
                k.unwrap_or("?")
            )));
        }
    }
    if eviction["metadata"]["name"]
        .as_str()
        .is_some_and(|n| !n.is_empty() && n != name)
    {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    let options = &eviction["deleteOptions"];
    let dry_run = call.dry_run()?
        || options["dryRun"]
            .as_array()
            .is_some_and(|d| d.iter().any(|v| v == "All"));
    let grace = options["gracePeriodSeconds"].as_i64();
    let entry = store
        .get(ids::pods(), &ns, &name)
        .ok_or_else(|| ApiError::not_found(pods, &name))?;
    if let Some(uid) = options["preconditions"]["uid"].as_str()
        && uid != entry.uid
    {
        return Err(ApiError::conflict(
            pods,
            &name,
            &format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                entry.uid
            ),
        ));
    }
    let pod = entry.value();
    // Finished, pending and already terminating pods disrupt nothing.
    let ignores_budget = matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed" | "Pending")
    ) || !pod["metadata"]["deletionTimestamp"].is_null();
    if !ignores_budget {
        let budgets = budgets_for(store, &entry);
        if budgets.len() > 1 {
            return Err(ApiError::internal(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ));
        }
        if let Some(pdb) = budgets.first() {
            let current = pdb.value();
            let status = &current["status"];
            let healthy = status["currentHealthy"].as_i64().unwrap_or(0);
            let desired = status["desiredHealthy"].as_i64().unwrap_or(0);
            // An unready pod may go while the budget is healthy, without using it up.
            let unhealthy_pass = !pod_ready(&pod) && healthy >= desired && desired > 0;
            if !unhealthy_pass {
                let check = |o: &Value| -> Result<i64, ApiError> {
                    let generation = o["metadata"]["generation"].as_i64().unwrap_or(1);
                    if o["status"]["observedGeneration"].as_i64().unwrap_or(0) < generation {
                        return Err(blocked(format!(
                            "The disruption budget {} is still being processed by the server.",
                            pdb.name
                        )));
                    }
                    let allowed = o["status"]["disruptionsAllowed"].as_i64().unwrap_or(0);
                    if allowed <= 0 {
                        return Err(blocked(format!(
                            "The disruption budget {} needs {} healthy pods and has {} currently",
                            pdb.name,
                            o["status"]["desiredHealthy"].as_i64().unwrap_or(0),
                            o["status"]["currentHealthy"].as_i64().unwrap_or(0),
                        )));
                    }
                    Ok(allowed)
                };
                if dry_run {
                    check(&current)?;
                } else {
                    let now = rfc3339(store.clock.now());
                    // Check and decrement atomically: parallel evictions (kubectl drain
                    // sends them at once) cannot both take the last allowance.
                    store.update(ids::pdbs(), &pdb.namespace, &pdb.name, None, |o| {
                        let allowed = check(o)?;
                        o["status"]["disruptionsAllowed"] = json!(allowed - 1);
                        o["status"]["disruptedPods"][name.as_str()] = json!(now);
                        if allowed - 1 == 0
                            && let Some(conds) = o["status"]["conditions"].as_array_mut()
                        {
                            for c in conds
                                .iter_mut()
                                .filter(|c| c["type"] == "DisruptionAllowed")
                            {
                                c["status"] = json!("False");
                                c["reason"] = json!("InsufficientPods");
                                c["lastTransitionTime"] = json!(now);
                            }
                        }
                        Ok(())
                    })?;
                }
            }
        }
    }
    semantics::delete(store, ids::pods(), &entry, grace, false, dry_run)?;
    Ok(json(
        StatusCode::CREATED,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}),
    ))
}
