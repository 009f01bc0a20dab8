//! storepos desktop shell (Tauri 2). Thin by design (see DESIGN.md "Architecture"): it
//! opens the store's ledger, registers one IPC command `call` that forwards to
//! [`storepos::commands::dispatch`] — the same table `storepos serve` exposes as
//! `POST /api/<command>` — forwards the app's events to the window as
//! `storepos://event`, and starts the same background workers as `serve`. No business
//! logic lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;
use std::sync::Arc;

use storepos::commands::{self, App, CommandError, ErrorCode};
use tauri::{Emitter, Manager};

/// The Tauri event name the UI listens on (ui/src/backend/tauri.ts `TAURI_EVENT`).
const EVENT_NAME: &str = "storepos://event";

/// Shared state: the one `App` every IPC call runs against.
struct Shell {
    app: Arc<App>,
    _background: std::sync::Mutex<storepos::transports::background::Background>,
}

/// The only IPC command: `invoke('call', {command, session, request})`. Runs the
/// command on a blocking thread (commands take the ledger's std Mutex) and answers the
/// command's JSON or its typed [`CommandError`] (the UI reads `code`, never text).
#[tauri::command]
async fn call(
    state: tauri::State<'_, Shell>,
    command: String,
    session: Option<String>,
    request: Option<serde_json::Value>,
) -> Result<serde_json::Value, CommandError> {
    let app = state.app.clone();
    let request = request.unwrap_or(serde_json::Value::Null);
    // One id per invoke, as `storepos serve` gives one per HTTP request: every line the
    // command logs carries it.
    let span = tracing::info_span!("ipc", req = %storepos::app::logs::new_request_id());
    tauri::async_runtime::spawn_blocking(move || {
        span.in_scope(|| commands::dispatch(&app, session.as_deref(), false, &command, request))
    })
    .await
    .unwrap_or_else(|e| {
        Err(CommandError::new(ErrorCode::Internal, "内部错误，操作未完成", format!("command task failed: {e}")))
    })
}

/// `STOREPOS_DATA` if set, else the OS app-data dir (e.g. ~/.local/share/cn.storepos.desktop).
fn data_dir(handle: &tauri::AppHandle) -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("STOREPOS_DATA").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    handle.path().app_data_dir().map_err(|e| format!("no app data dir: {e}"))
}

/// WebKitGTK for a till: no GPU, so no compositing (the accelerated path keeps a GPU
/// process's worth of buffers in the web process even when it falls back to software) and
/// no DMA-BUF renderer. Set before GTK/WebKit start; an explicit value in the environment wins.
fn till_webkit_env() {
    #[cfg(target_os = "linux")]
    for (k, v) in [("WEBKIT_DISABLE_COMPOSITING_MODE", "1"), ("WEBKIT_DISABLE_DMABUF_RENDERER", "1")] {
        if std::env::var_os(k).is_none() {
            std::env::set_var(k, v); // still single-threaded here
        }
    }
}

/// Per-view WebKit settings for a till: one document, no page cache, no WebGL, no
/// hardware acceleration, the smallest memory cache model, audio without a gesture.
fn till_webkit_settings(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|wv| {
        use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
        let view = wv.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            settings.set_enable_webgl(false);
            settings.set_enable_page_cache(false);
            settings.set_enable_smooth_scrolling(false);
            // The arrival beep comes from a poll, not a tap: the UI makes its AudioContext at
            // the first beep in this shell (ui/src/main.tsx), which needs no gesture here.
            settings.set_media_playback_requires_user_gesture(false);
        }
        if let Some(ctx) = view.context() {
            ctx.set_cache_model(CacheModel::DocumentViewer);
        }
    });
}

fn main() {
    let started = std::time::Instant::now();
    till_webkit_env();
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![call])
        .setup(move |tauri_app| {
            let dir = data_dir(tauri_app.handle())?;
            // The shell's one subscriber: DATA/logs/, level from STOREPOS_LOG.
            storepos::app::logs::install(Some(&dir), storepos::app::logs::Stderr::Warnings);
            tracing::info!(version = env!("CARGO_PKG_VERSION"), mode = "desktop", data = %dir.display(), "storepos starting");
            let app =
                storepos::transports::server::open_or_init(&dir).map_err(|e| format!("{}: {}", e.message_zh, e.message_en))?;
            let app = Arc::new(app);
            eprintln!(
                "storepos-desktop: ledger {} (setup after {} ms)",
                dir.join("storepos.db").display(),
                started.elapsed().as_millis()
            );

            // Events are hints for screens; a lagging window just misses some and
            // re-reads the ledger through commands.
            let mut rx = app.subscribe();
            let handle = tauri_app.handle().clone();
            tauri::async_runtime::spawn(async move {
                use tokio::sync::broadcast::error::RecvError;
                loop {
                    match rx.recv().await {
                        Ok(ev) => {
                            let _ = handle.emit(EVENT_NAME, &ev);
                        }
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => break,
                    }
                }
            });

            // Inside the runtime (workers may spawn tasks); kept in state for the app's
            // lifetime, since dropping the handle stops them.
            let workers = app.clone();
            let background = tauri::async_runtime::block_on(async move { storepos::transports::server::start_background(workers) });

            tauri_app.manage(Shell { app, _background: std::sync::Mutex::new(background) });
            if let Some(window) = tauri_app.get_webview_window("main") {
                till_webkit_settings(&window);
                // `STOREPOS_DESKTOP_BLANK=1`: the same shell on an empty page (the memory floor
                // WebKit itself sets; scripts/desktop-mem.sh).
                if std::env::var_os("STOREPOS_DESKTOP_BLANK").is_some_and(|v| v == "1") {
                    if let Ok(url) = "about:blank".parse() {
                        let _ = window.navigate(url);
                    }
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("storepos-desktop failed to start");
}
