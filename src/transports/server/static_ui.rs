//! The built web UI (`ui/dist`), with the single-page-app fallback to `index.html`, or
//! a short page telling how to build it when it is missing.

use std::path::PathBuf;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// `ui/dist` under the current dir, else under the first ancestor of the binary that
/// has one (`target/debug/storepos` → the repository).
pub fn default_dir() -> Option<PathBuf> {
    let here = PathBuf::from("ui/dist");
    if here.join("index.html").is_file() {
        return Some(here);
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors().skip(1).map(|a| a.join("ui/dist")).find(|d| d.join("index.html").is_file())
}

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>storepos — 界面未构建</title></head>
<body>
<h1>storepos：网页界面尚未构建 / the web UI is not built</h1>
<p>后台服务正在运行（<a href="/api/health">/api/health</a>），但找不到 <code>ui/dist/index.html</code>。</p>
<p>The server is running, but <code>ui/dist/index.html</code> was not found. Build it and reload:</p>
<pre>cd ui &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>或用 <code>storepos serve --ui DIR</code> 指定已构建的目录 / or point <code>--ui DIR</code> at a built copy.</p>
</body></html>
"#;

async fn not_built() -> Response {
    let mut r = (StatusCode::OK, Html(NOT_BUILT)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(super) fn router(dir: Option<PathBuf>) -> Router {
    match dir.filter(|d| d.join("index.html").is_file()) {
        Some(d) => {
            let index = ServeFile::new(d.join("index.html"));
            Router::new().fallback_service(ServeDir::new(d).append_index_html_on_directories(true).fallback(index))
        }
        None => Router::new().fallback(not_built),
    }
}
