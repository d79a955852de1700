//! Nomad's HTTP API for what a client agent owns (`command/agent/alloc_endpoint.go`,
//! `command/agent/fs_endpoint.go`): allocations with blocking queries, restart, signal,
//! stop and task logs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::state::{ApiError, Request, Shared};

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 16 * 1024;

/// Nomad's default and largest blocking wait (`MaxQueryTime`, 5 minutes).
const MAX_WAIT: Duration = Duration::from_secs(300);

type Params = Query<HashMap<String, String>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/allocations", get(list))
        .route("/v1/allocation/{id}", get(alloc))
        .route("/v1/allocation/{id}/stop", post(stop).put(stop))
        .route(
            "/v1/client/allocation/{id}/restart",
            post(restart).put(restart),
        )
        .route(
            "/v1/client/allocation/{id}/signal",
            post(signal).put(signal),
        )
        .route("/v1/client/fs/logs/{id}", get(logs))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    (status, message.into()).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound(m) => text(StatusCode::NOT_FOUND, m),
            ApiError::BadRequest(m) => text(StatusCode::BAD_REQUEST, m),
            ApiError::Internal(m) => text(StatusCode::INTERNAL_SERVER_ERROR, m),
        }
    }
}

fn with_index(index: u64, body: Value) -> Response {
    let mut response = axum::Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert("X-Nomad-Index", HeaderValue::from(index));
    headers.insert("X-Nomad-KnownLeader", HeaderValue::from_static("true"));
    headers.insert("X-Nomad-LastContact", HeaderValue::from_static("0"));
    response
}

/// A Go duration (`5s`, `500ms`, `1m30s`, `1.5h`); a bare number other than `0` is
/// refused, as Go's `time.ParseDuration` refuses it.
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest.get(..number_len)?.parse().ok()?;
        rest = rest.get(number_len..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = rest.get(..unit_len)?;
        rest = rest.get(unit_len..)?;
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * scale;
    }
    if !total.is_finite() || !(0.0..=1e9).contains(&total) {
        return None;
    }
    Some(Duration::from_secs_f64(total))
}

/// `?index=N&wait=D`: the index to pass and how long to wait (Nomad's `parseWait`).
fn blocking(params: &HashMap<String, String>) -> Result<Option<(u64, Duration)>, ApiError> {
    let index = match params.get("index") {
        None => return Ok(None),
        Some(i) => i
            .parse::<u64>()
            .map_err(|_| ApiError::BadRequest("Invalid index".into()))?,
    };
    if index == 0 {
        return Ok(None);
    }
    let wait = match params.get("wait") {
        None => MAX_WAIT,
        Some(w) => parse_go_duration(w)
            .ok_or_else(|| ApiError::BadRequest("Invalid wait time".into()))?
            .min(MAX_WAIT),
    };
    let wait = if wait.is_zero() { MAX_WAIT } else { wait };
    // Up to wait/16 of jitter, as Nomad, so that watchers do not all wake together.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = wait / 16 * (nanos % 1000) / 1000;
    Ok(Some((index, wait + jitter)))
}

/// Waits until `current()` gives an index above `index` or the wait ends; woken by the
/// registry's watch channel, never by a timer of its own besides the deadline.
async fn block<T>(
    shared: &Shared,
    wait: Option<(u64, Duration)>,
    current: impl Fn() -> Option<(u64, T)>,
) -> Option<(u64, T)> {
    let mut changes = shared.subscribe();
    let Some((index, wait)) = wait else {
        return current();
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let now = current()?;
        if now.0 > index {
            return Some(now);
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return current(); },
            () = tokio::time::sleep_until(deadline) => return current(),
        }
    }
}

async fn list(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    let wait = match blocking(&params) {
        Ok(wait) => wait,
        Err(e) => return e.into_response(),
    };
    let prefix = params.get("prefix").cloned().unwrap_or_default();
    let current = || {
        let allocs = shared.allocs();
        let mut index = 0;
        let mut stubs = Vec::new();
        for (id, entry) in allocs.iter() {
            if !id.starts_with(&prefix) {
                continue;
            }
            index = index.max(entry.snapshot.index);
            let mut stub = serde_json::Map::new();
            if let Value::Object(fields) = entry.snapshot.json.as_ref() {
                for name in &allocstate::nomad::ALLOC_FIELDS {
                    if let Some(value) = fields.get(*name) {
                        stub.insert((*name).to_string(), value.clone());
                    }
                }
            }
            stubs.push(Value::Object(stub));
        }
        Some((index, stubs))
    };
    match block(&shared, wait, current).await {
        Some((index, stubs)) => with_index(index, Value::Array(stubs)),
        None => text(StatusCode::INTERNAL_SERVER_ERROR, "no allocations"),
    }
}

async fn alloc(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    let wait = match blocking(&params) {
        Ok(wait) => wait,
        Err(e) => return e.into_response(),
    };
    let current = || shared.snapshot(&id).map(|s| (s.index, s.json));
    match block(&shared, wait, current).await {
        Some((index, json)) => with_index(index, json.as_ref().clone()),
        None => text(StatusCode::NOT_FOUND, "alloc not found"),
    }
}

/// The token check of a mutating request (403 `Permission denied`).
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    let Some(token) = &shared.token else {
        return Ok(());
    };
    let given = headers
        .get("X-Nomad-Token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get("Authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        });
    if given == Some(token.as_str()) {
        Ok(())
    } else {
        Err(text(StatusCode::FORBIDDEN, "Permission denied"))
    }
}

/// The JSON object of a request body (an empty body is `{}`), or 400.
fn body_object(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadRequest(
            "request body must be a JSON object".into(),
        )),
        Err(e) => Err(ApiError::BadRequest(format!("invalid JSON body: {e}"))),
    }
}

fn string_field(
    map: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<Option<String>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::BadRequest(format!(
            "field {field}: expected a string"
        ))),
    }
}

fn bool_field(map: &serde_json::Map<String, Value>, field: &str) -> Result<bool, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ApiError::BadRequest(format!(
            "field {field}: expected a boolean"
        ))),
    }
}

/// Sends a request to the allocation's runner and waits for its answer on `reply`.
async fn ask<T>(
    shared: &Shared,
    id: &str,
    request: Request,
    reply: oneshot::Receiver<Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let gone = || ApiError::Internal("the allocation's runner is gone".into());
    let sender = shared
        .sender(id)
        .ok_or_else(|| ApiError::NotFound("Unknown allocation".into()))?;
    sender.send(request).map_err(|_| gone())?;
    reply.await.map_err(|_| gone())?
}

type Reply = oneshot::Sender<Result<(), ApiError>>;

/// A client request with a JSON body (`restart`, `signal`): the token check, the body's
/// fields read by `build` into the runner's request, `{}` once the runner accepted it.
async fn client_request(
    shared: &Shared,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
    build: impl FnOnce(&serde_json::Map<String, Value>, Reply) -> Result<Request, ApiError>,
) -> Response {
    if let Err(refused) = authorize(shared, headers) {
        return refused;
    }
    let result = async {
        let map = body_object(body)?;
        let (tx, rx) = oneshot::channel();
        let request = build(&map, tx)?;
        ask(shared, id, request, rx).await
    }
    .await;
    match result {
        Ok(()) => axum::Json(json!({})).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn restart(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    client_request(&shared, &id, &headers, &body, |map, reply| {
        let task = string_field(map, "TaskName")?;
        let all = bool_field(map, "AllTasks")?;
        if all && task.is_some() {
            return Err(ApiError::BadRequest(
                "field TaskName: cannot name a task when AllTasks is true".into(),
            ));
        }
        Ok(Request::Restart { task, all, reply })
    })
    .await
}

async fn signal(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    client_request(&shared, &id, &headers, &body, |map, reply| {
        let task = string_field(map, "Task")?;
        // The CLI's default signal (`nomad alloc signal`): SIGKILL.
        let signal = string_field(map, "Signal")?.unwrap_or_else(|| "SIGKILL".into());
        if allocstate::runner::signal_number(&signal).is_none() {
            return Err(ApiError::BadRequest(format!(
                "field Signal: unknown signal {signal:?}"
            )));
        }
        Ok(Request::Signal {
            task,
            signal,
            reply,
        })
    })
    .await
}

async fn stop(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = authorize(&shared, &headers) {
        return refused;
    }
    let no_shutdown_delay = match params.get("no_shutdown_delay").map(String::as_str) {
        None | Some("false") | Some("") => false,
        Some("true") => true,
        Some(_) => {
            return ApiError::BadRequest("no_shutdown_delay: expected true or false".into())
                .into_response()
        }
    };
    if shared.snapshot(&id).is_none() {
        return text(StatusCode::NOT_FOUND, "alloc not found");
    }
    let (reply, rx) = oneshot::channel();
    let request = Request::Stop {
        no_shutdown_delay,
        reply,
    };
    match ask(&shared, &id, request, rx).await {
        Ok(index) => with_index(index, json!({"EvalID": "", "Index": index})),
        Err(e) => e.into_response(),
    }
}

/// Log files read at most this far (the rest with `offset`).
const LOG_READ_MAX: u64 = 8 * 1024 * 1024;

async fn logs(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    let Some(snapshot) = shared.snapshot(&id) else {
        return text(StatusCode::NOT_FOUND, "alloc not found");
    };
    let Some(task) = params.get("task").filter(|t| !t.is_empty()) else {
        return text(StatusCode::BAD_REQUEST, "must include task name");
    };
    // Only a task of the allocation: a name never becomes a path on its own.
    if !snapshot.tasks.iter().any(|t| t == task) {
        return text(StatusCode::NOT_FOUND, format!("unknown task name {task:?}"));
    }
    let kind = match params.get("type").map(String::as_str) {
        Some("stdout") => "stdout",
        Some("stderr") => "stderr",
        _ => {
            return text(
                StatusCode::BAD_REQUEST,
                "must include a log type of stdout or stderr",
            )
        }
    };
    let offset: u64 = match params.get("offset").map(|o| o.parse()) {
        None => 0,
        Some(Ok(o)) => o,
        Some(Err(_)) => return text(StatusCode::BAD_REQUEST, "invalid offset"),
    };
    let from_end = match params.get("origin").map(String::as_str) {
        None | Some("start") => false,
        Some("end") => true,
        Some(_) => return text(StatusCode::BAD_REQUEST, "origin must be start or end"),
    };
    let path = shared
        .data_dir
        .join("alloc")
        .join(&id)
        .join("alloc")
        .join("logs")
        .join(format!("{task}.{kind}.0"));
    let bytes = tokio::task::spawn_blocking(move || read_range(&path, offset, from_end))
        .await
        .unwrap_or_default();
    (StatusCode::OK, bytes).into_response()
}

fn read_range(path: &std::path::Path, offset: u64, from_end: bool) -> Vec<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let start = if from_end {
        len.saturating_sub(offset)
    } else {
        offset.min(len)
    };
    let mut out = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_ok() {
        let _ = file.take(LOG_READ_MAX).read_to_end(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_go_duration;
    use std::time::Duration;

    #[test]
    fn go_durations_read_as_go_reads_them() {
        assert_eq!(parse_go_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_go_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration(""), None);
        assert_eq!(parse_go_duration("1x"), None);
        assert_eq!(parse_go_duration("-1s"), None);
    }
}
