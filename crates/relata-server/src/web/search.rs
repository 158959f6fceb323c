//! The search page: the search box without JavaScript, the best matches of
//! every type global search includes that the user may read.

use super::{Layout, Page, PageQuery, S, layout, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::read::{self, ListParams};
use relata_core::access::Right;

#[derive(Template)]
#[template(
    source = "{% extends \"base.html\" %}{% block content %}<h1>Search</h1><form class=\"filters\" action=\"/search\"><label for=\"sq\">Words</label><input id=\"sq\" name=\"q\" value=\"{{ q }}\"><button type=\"submit\">Search</button></form><ul>{% for (kind, href, title) in results %}<li><span class=\"kind\">{{ kind }}</span> <a href=\"{{ href }}\">{{ title }}</a></li>{% else %}<li>No matches.</li>{% endfor %}</ul>{% endblock %}",
    ext = "html"
)]
struct SearchPage {
    layout: Layout,
    q: String,
    results: Vec<(&'static str, String, String)>,
}

/// `GET /search?q=…`
pub async fn search(State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    let q = PageQuery::parse(raw.as_deref()).get("q").trim().to_string();
    let mut results = Vec::new();
    if !q.is_empty() && q.len() <= 200 {
        for schema in page.schemas.iter().filter(|s| s.def().global_search) {
            let kind = schema.kind;
            if page.ctx.access.check_kind(kind, Right::Read).is_err() {
                continue;
            }
            let params = ListParams { q: Some(q.clone()), limit: Some(10), ..Default::default() };
            if let Ok((p, _)) = read::list(&server.app, &page.ctx, kind, &params).await {
                results.extend(
                    p.records
                        .iter()
                        .map(|r| (kind.singular(), format!("/{}/{}", kind.api_name(), r.id), schema.title(r))),
                );
            }
        }
    }
    render(&SearchPage { layout: layout(&page, "Search", None), q, results }, StatusCode::OK)
}
