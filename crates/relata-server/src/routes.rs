//! The route table: every endpoint declared once with its documentation and
//! its handler. [`router`] and the OpenAPI document are both built from
//! [`table`], so a route cannot exist undocumented.

use crate::Server;
use crate::auth::Auth;
use crate::openapi::{self, schema_ref};
use crate::problem::Problem;
use crate::records::{self, LIST_PARAMS, PAGE_PARAMS};
use crate::service;
use crate::session;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use serde_json::{Value as Json, json};
use std::sync::Arc;

/// What the OpenAPI document says about one endpoint.
#[derive(Clone, Debug)]
pub struct Operation {
    pub method: Method,
    pub path: String,
    pub operation_id: String,
    pub summary: String,
    pub tag: String,
    /// Whether a bearer token is needed.
    pub authenticated: bool,
    pub query: Vec<&'static str>,
    /// Request headers the endpoint reads, and whether each is required.
    pub headers: Vec<(&'static str, bool)>,
    pub body: Option<Json>,
    /// Success status and its body schema (`None` for no body).
    pub success: (u16, Option<Json>),
    /// For routes of every entity type (`/api/v1/{entity}`): which types the
    /// OpenAPI document lists it for. Path, id, summary, tag and schema
    /// names hold placeholders (`{entity}`, `{singular}`, `{Entity}`) that
    /// [`Operation::for_entity`] fills in.
    pub per_entity: Option<PerEntity>,
}

/// Which entity types a per-entity route applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerEntity {
    All,
    /// Types whose records have a story (others' episodes link to them).
    WithTimeline,
    /// Types whose records keep files.
    WithFiles,
}

impl Operation {
    /// This per-entity operation for one entity type of a workspace.
    pub fn for_entity(&self, schema: &relata_core::meta::Schema) -> Operation {
        let kind = schema.kind;
        let entity_schema = openapi::schema_name(schema);
        let fill = |text: &str| {
            text.replace("{entity}", kind.api_name())
                .replace("{singular}", kind.singular())
                .replace("{Entity}", &entity_schema)
                .replace("{Label}", &schema.def().label)
        };
        let fill_json = |j: &Json| serde_json::from_str(&fill(&j.to_string())).unwrap_or(Json::Null);
        Operation {
            method: self.method.clone(),
            path: fill(&self.path),
            operation_id: fill(&self.operation_id),
            summary: fill(&self.summary),
            tag: fill(&self.tag),
            authenticated: self.authenticated,
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.as_ref().map(fill_json),
            success: (self.success.0, self.success.1.as_ref().map(fill_json)),
            per_entity: None,
        }
    }
}

/// One endpoint: its documentation and its handler.
pub struct Route {
    pub op: Operation,
    handler: MethodRouter<Arc<Server>>,
}

/// Starts the description of an endpoint.
fn endpoint(
    method: Method,
    path: impl Into<String>,
    id: impl Into<String>,
    summary: impl Into<String>,
) -> RouteBuilder {
    RouteBuilder {
        op: Operation {
            method,
            path: path.into(),
            operation_id: id.into(),
            summary: summary.into(),
            tag: String::new(),
            authenticated: true,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            success: (200, None),
            per_entity: None,
        },
    }
}

struct RouteBuilder {
    op: Operation,
}

impl RouteBuilder {
    fn tag(mut self, tag: &str) -> Self {
        self.op.tag = tag.to_string();
        self
    }
    fn public(mut self) -> Self {
        self.op.authenticated = false;
        self
    }
    fn query(mut self, params: &[&'static str]) -> Self {
        self.op.query = params.to_vec();
        self
    }
    fn header(mut self, name: &'static str, required: bool) -> Self {
        self.op.headers.push((name, required));
        self
    }
    fn body(mut self, schema: Json) -> Self {
        self.op.body = Some(schema);
        self
    }
    fn returns(mut self, status: u16, schema: Option<Json>) -> Self {
        self.op.success = (status, schema);
        self
    }
    fn per_entity(mut self, which: PerEntity) -> Self {
        self.op.per_entity = Some(which);
        self
    }
    fn to(self, handler: MethodRouter<Arc<Server>>) -> Route {
        Route { op: self.op, handler }
    }
}

type S = State<Arc<Server>>;

/// Every endpoint of the server.
pub fn table() -> Vec<Route> {
    let mut routes = vec![
        endpoint(Method::GET, "/healthz", "health", "Liveness check")
            .tag("service")
            .public()
            .returns(200, Some(json!({"type": "object"})))
            .to(get(service::health)),
        endpoint(Method::GET, "/metrics", "metrics", "Prometheus metrics (loopback clients, or the metrics token)")
            .tag("service")
            .public()
            .returns(200, None)
            .to(get(crate::metrics::metrics)),
        endpoint(Method::GET, "/readyz", "ready", "Readiness check: the database answers and its schema is current")
            .tag("service")
            .public()
            .returns(200, Some(json!({"type": "object"})))
            .to(get(service::ready)),
        endpoint(Method::GET, "/api/v1/openapi.json", "openapi", "This OpenAPI 3.1 document")
            .tag("service")
            .public()
            .returns(200, Some(json!({"type": "object"})))
            .to(get(openapi::document)),
        endpoint(Method::GET, "/api/v1/docs", "docs", "The API reference as a web page")
            .tag("service")
            .public()
            .returns(200, None)
            .to(get(openapi::reference_page)),
        endpoint(Method::GET, "/api/v1/metadata", "metadata.list", "Every entity type and its fields")
            .tag("metadata")
            .returns(200, Some(schema_ref("Metadata")))
            .to(get(service::metadata)),
        endpoint(Method::GET, "/api/v1/metadata/entities", "metadata.entities.list", "The workspace's custom objects")
            .tag("metadata")
            .returns(200, Some(json!({"type": "object", "properties": {"data": {"type": "array", "items": schema_ref("CustomObject")}}})))
            .to(get(service::list_custom_objects)),
        endpoint(Method::POST, "/api/v1/metadata/entities", "metadata.entities.create", "Define a custom object (administrators)")
            .tag("metadata")
            .body(schema_ref("CustomObjectInput"))
            .returns(201, Some(schema_ref("CustomObject")))
            .to(post(service::create_custom_object)),
        endpoint(Method::GET, "/api/v1/metadata/entities/{id}", "metadata.entities.get", "A custom object's definition")
            .tag("metadata")
            .returns(200, Some(schema_ref("CustomObject")))
            .to(get(service::get_custom_object)),
        endpoint(
            Method::PATCH,
            "/api/v1/metadata/entities/{id}",
            "metadata.entities.update",
            "Change a custom object: the members given replace the definition's; fields keep their types",
        )
        .tag("metadata")
        .header("If-Match", false)
        .body(schema_ref("CustomObjectInput"))
        .returns(200, Some(schema_ref("CustomObject")))
        .to(patch(service::update_custom_object)),
        endpoint(
            Method::DELETE,
            "/api/v1/metadata/entities/{id}",
            "metadata.entities.delete",
            "Remove a custom object without live records or relations pointing at it",
        )
        .tag("metadata")
        .returns(204, None)
        .to(delete(service::delete_custom_object)),
        endpoint(Method::GET, "/api/v1/lookup", "lookup", "Records with a phone number or email address")
            .tag("lookup")
            .query(&["phone", "email"])
            .returns(200, Some(schema_ref("LookupResult")))
            .to(get(service::lookup)),
        endpoint(
            Method::GET,
            "/api/v1/changes",
            "changes",
            "Every committed change in commit order, as far as you may read it (long-polls with wait)",
        )
        .tag("changes")
        .query(crate::changes::FEED_PARAMS)
        .returns(200, Some(schema_ref("ChangePage")))
        .to(get(crate::changes::changes)),
        endpoint(Method::GET, "/api/v1/search", "search", "Search accounts, contacts, leads and opportunities at once")
            .tag("search")
            .query(&["q", "limit"])
            .returns(200, Some(schema_ref("LookupResult")))
            .to(get(service::search)),
        endpoint(Method::GET, "/", "home", "Start page: who is signed in, or a way to sign in")
            .tag("pages")
            .public()
            .returns(200, None)
            .to(get(crate::web::home::home)),
        endpoint(Method::GET, "/assets/app.css", "assets.css", "The stylesheet of the pages")
            .tag("pages")
            .public()
            .to(get(crate::web::stylesheet)),
        endpoint(Method::GET, "/assets/plain.css", "assets.plain_css", "The stylesheet of the sign-in pages and the API reference")
            .tag("pages")
            .public()
            .to(get(crate::web::plain_stylesheet)),
        endpoint(Method::GET, "/assets/app.js", "assets.js", "The script of the pages (search as you type)")
            .tag("pages")
            .public()
            .to(get(crate::web::script)),
        endpoint(Method::GET, "/assets/favicon.svg", "assets.favicon", "The icon of the pages")
            .tag("pages")
            .public()
            .to(get(crate::web::favicon)),
        endpoint(Method::GET, "/favicon.ico", "assets.favicon_ico", "The icon, where browsers look for it")
            .tag("pages")
            .public()
            .to(get(crate::web::favicon)),
    ];
    routes.extend([
        endpoint(
            Method::GET,
            "/service",
            "pages.service",
            "The service dashboard: backlog, SLA compliance, response times",
        )
        .tag("pages")
        .public()
        .to(get(crate::web::service_dashboard::dashboard)),
        endpoint(Method::GET, "/board", "pages.board", "The pipeline board (query: pipeline, owner, close)")
            .tag("pages")
            .public()
            .to(get(crate::web::board::board)),
        endpoint(
            Method::POST,
            "/board/move",
            "pages.board_move",
            "Move an opportunity to a stage from the board's form",
        )
        .tag("pages")
        .public()
        .returns(303, None)
        .to(post(crate::web::board::board_move)),
        endpoint(Method::GET, "/leads/{id}/convert", "pages.leads.convert", "The lead conversion screen")
            .tag("pages")
            .public()
            .to(get(crate::web::convert::convert_form)),
        endpoint(Method::POST, "/leads/{id}/convert", "pages.leads.convert_submit", "Convert a lead from the screen")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::convert::convert_submit)),
        endpoint(
            Method::POST,
            "/workspace",
            "pages.switch_workspace",
            "Switch the session's workspace from the header",
        )
        .tag("pages")
        .public()
        .returns(303, None)
        .to(post(crate::web::switch_workspace)),
        endpoint(Method::GET, "/search", "pages.search", "The search page")
            .tag("pages")
            .public()
            .to(get(crate::web::search::search)),
    ]);
    routes.extend(page_routes());
    routes.extend(identity_routes());
    routes.extend(entity_routes());
    routes.push(
        endpoint(
            Method::GET,
            "/api/v1/analytics/forecast",
            "analytics.forecast",
            "Pipeline forecast over the opportunities you may read: weighted pipeline and win-rate forecast by \
             period and owner, team or territory; win rates and time per stage; forecast versus actual",
        )
        .tag("analytics")
        .query(crate::analytics::FORECAST_PARAMS)
        .returns(200, Some(schema_ref("Forecast")))
        .to(get(crate::analytics::forecast)),
    );
    routes.push(
        endpoint(Method::POST, "/api/v1/leads/{id}/convert", "leads.convert", "Convert a lead")
            .tag("leads")
            .body(schema_ref("LeadConversion"))
            .returns(200, Some(schema_ref("LeadConversionResult")))
            .to(post(records::convert_lead)),
    );
    routes.push(
        endpoint(
            Method::POST,
            "/api/v1/quotes/{id}/revise",
            "quotes.revise",
            "A new draft revision of a quote: its lines, the same number, the next revision; the earlier one stays readable",
        )
        .tag("quotes")
        .returns(201, Some(schema_ref("Quote")))
        .to(post(crate::commerce::revise_quote)),
    );
    for kind in [relata_commerce::QUOTES, relata_commerce::ORDERS, relata_commerce::INVOICES] {
        let name = kind.api_name();
        routes.push(
            endpoint(
                Method::GET,
                format!("/api/v1/{name}/{{id}}/pdf"),
                format!("{name}.pdf"),
                format!("The {} as a PDF file (an embedded Unicode font)", kind.singular()),
            )
            .tag(name)
            .returns(200, Some(object("application/pdf")))
            .to(get(move |s: S, a: Auth, id: crate::http::IdPath| crate::commerce::document_pdf(kind, s, a, id))),
        );
    }
    routes.push(
        endpoint(
            Method::GET,
            "/api/v1/invoices/{id}/ubl",
            "invoices.ubl",
            "An issued invoice or credit note as UBL 2.1 XML with the EN 16931 core fields, for e-invoicing",
        )
        .tag("invoices")
        .returns(200, Some(object("application/xml")))
        .to(get(crate::commerce::invoice_ubl)),
    );
    routes.push(
        endpoint(
            Method::GET,
            "/api/v1/accounts/{id}/revenue",
            "accounts.revenue",
            "An account's revenue by year in its billing currency: invoiced (issued invoices less credit notes, by \
             issue date) and paid (allocated payments, by payment date), from the documents you may read",
        )
        .tag("accounts")
        .returns(200, Some(object("{account, currency, years: [{year, invoiced, paid}]}")))
        .to(get(crate::commerce::account_revenue)),
    );
    routes.push(
        endpoint(
            Method::POST,
            "/api/v1/products/{id}/configure",
            "products.configure",
            "Check a configuration of a configurable product (options: \"RAM*2, GPU\", quantity, currency, account, \
             date): whether it is valid, every rule it breaks (unknown, quantity, min_choices, max_choices, requires, \
             excludes, combination, currency) and its price (the price book's for the account, plus the options)",
        )
        .tag("products")
        .body(object("{options, quantity?, currency?, account?, date?}"))
        .returns(
            200,
            Some(object("{valid, problems: [{rule, subject, message}], base_price, options_price, unit_price}")),
        )
        .to(post(crate::commerce::configure_product)),
    );
    routes.push(
        endpoint(
            Method::POST,
            "/api/v1/erp/events",
            "erp.events",
            "An event from the back office, with a token of scope erp: payment.received (invoice or account, amount, \
             payment_date, method, reference), order.confirmed, partly_shipped, shipped, delivered or cancelled \
             (order), invoice.issued (order, number, issue_date), price.updated (sku, price_book, unit_price, \
             min_quantity), stock.updated (sku, quantity); applied once per token and event id (a replay answers the same)",
        )
        .tag("erp")
        .body(object("{id, type, data}"))
        .returns(200, Some(object("{id, type, status, record: {entity, id, version}}")))
        .to(post(crate::commerce::erp_event)),
    );
    routes.push(
        endpoint(
            Method::POST,
            "/api/v1/telephony/events",
            "telephony.events",
            "An event of a call from the telephone switch, with a token of scope telephony: call_id, event (ringing, \
             answered, transferred, ended), direction (inbound by default, or outbound), from, to, queue, extension \
             (the agent's, see the telephony settings), at (RFC 3339, now by default). Applied once per token and body \
             (a repeat answers the same), in any order. The answer names the call, its status, the caller (number in \
             E.164, withheld, the contacts, accounts and leads it matches, or links to a new contact or lead) and the \
             priority (0 to 100), value tier and queue the caller's worth gives. Asterisk AMI and FreeSWITCH \
             event-socket events are read as the switch sends them (Key: Value lines as text/plain, or the same keys \
             as JSON); events that change no call are answered with ignored: true and not kept",
        )
        .tag("telephony")
        .body(object("{call_id, event, direction, from, to, queue, extension, at}"))
        .returns(200, Some(object("{call, call_id, event, status, caller, priority, value_tier, queue, problems}")))
        .to(post(crate::calls::telephony_event)),
    );
    routes.push(
        endpoint(
            Method::POST,
            "/api/v1/call_lists/{id}/generate",
            "call_lists.generate",
            "Make the list's calls: a call to make for each contact its filter selects that you may read, with a phone, \
             who may be called for the list's purpose (not withdrawn; for marketing, consent given) and has no call of \
             this list yet, for the list's agents in turn; safe to run again",
        )
        .tag("call_lists")
        .returns(200, Some(object("{list, made, skipped: {no_phone, do_not_call, listed_before}}")))
        .to(post(crate::calls::generate_list)),
    );
    routes.push(
        endpoint(
            Method::POST,
            "/api/v1/telephony/dial",
            "telephony.dial",
            "Click-to-dial from your extension: number, or contact (their first phone). Makes a phone call in status \
             dialing, which a webhook subscribed to phone_call.created hands to the switch; the switch's events then \
             use its call_id. A number of a contact who asked not to be called is refused (409) and audited",
        )
        .tag("telephony")
        .body(object("{number?, contact?}"))
        .returns(201, Some(schema_ref("Phonecall")))
        .to(post(crate::calls::dial)),
    );
    routes.push(
        endpoint(
            Method::GET,
            "/api/v1/calls/report",
            "calls.report",
            "The call center's figures of the last days (1 to 366, 30 by default) over the calls you may read: inbound \
             calls answered and abandoned with their rates, outbound calls, calls per agent and per hour, average wait \
             and handle time by value tier, first-call resolution, each call list's penetration and conversion; JSON or \
             an XLSX workbook (format)",
        )
        .tag("telephony")
        .query(&["days", "format"])
        .returns(200, Some(object("the figures")))
        .to(get(crate::calls::report)),
    );
    routes.push(
        endpoint(
            Method::GET,
            "/api/v1/telephony/screen_pops",
            "telephony.screen_pops",
            "Server-sent events for the signed-in agent: pop (the caller's summary: name, account, value tier, open \
             cases, overdue invoices, open opportunities, the last five episodes, links to open the record and log \
             the call) when a call to their extension rings or is answered, ended when it ends",
        )
        .tag("telephony")
        .returns(200, None)
        .to(get(crate::calls::screen_pops)),
    );
    routes.push(
        endpoint(
            Method::GET,
            "/api/v1/telephony/settings",
            "telephony.settings",
            "The agents' extensions and the priority formula (administrators)",
        )
        .tag("telephony")
        .returns(200, Some(object("{extensions, priority}")))
        .to(get(crate::calls::telephony_settings)),
    );
    routes.push(
        endpoint(
            Method::PUT,
            "/api/v1/telephony/settings",
            "telephony.settings.put",
            "Set the agents' extensions (extension: user id) and/or the priority formula (base, key_account, \
             revenue_per_point in minor units of the last year's invoices, revenue_max, contract, unknown, queues: \
             [from, queue]) (administrators)",
        )
        .tag("telephony")
        .body(object("{extensions?, priority?}"))
        .returns(200, Some(object("{extensions, priority}")))
        .to(put(crate::calls::put_telephony_settings)),
    );
    routes.push(
        endpoint(
            Method::POST,
            "/api/v1/orders/{id}/invoice",
            "orders.invoice",
            "A draft invoice for an order's lines at the order's prices",
        )
        .tag("orders")
        .returns(201, Some(schema_ref("Invoice")))
        .to(post(crate::commerce::invoice_order)),
    );
    routes
}

fn object(description: &str) -> Json {
    json!({"type": "object", "description": description})
}

fn list_of(description: &str) -> Json {
    openapi::page_of(object(description))
}

/// Sign-in, sessions, users, roles, teams, tokens, the audit log and
/// server-wide workspaces, plus the browser sign-in pages.
fn identity_routes() -> Vec<Route> {
    use crate::people as p;
    vec![
        endpoint(Method::GET, "/login", "pages.login", "The sign-in page")
            .tag("pages")
            .public()
            .to(get(session::login_form)),
        endpoint(Method::POST, "/login", "pages.login_submit", "Sign in from the page's form (login CSRF token)")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(session::login_submit)),
        endpoint(Method::POST, "/logout", "pages.logout", "Sign out from a page's form (csrf_token field)")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(session::logout_submit)),
        endpoint(Method::GET, "/invite/{id}", "pages.invite", "The page that accepts an invitation (id: the token)")
            .tag("pages")
            .public()
            .to(get(session::invite_form)),
        endpoint(Method::POST, "/invite", "pages.invite_submit", "Accept an invitation from the page's form")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(session::invite_submit)),
        endpoint(Method::POST, "/api/v1/auth/login", "auth.login", "Sign in; answers a session token and CSRF token and sets the session cookie")
            .tag("auth")
            .public()
            .body(object("{email, password, code?, workspace?}"))
            .returns(200, Some(object("session_token, csrf_token, expires_at, user, workspace, role")))
            .to(post(session::login)),
        endpoint(Method::POST, "/api/v1/auth/logout", "auth.logout", "End this session")
            .tag("auth")
            .returns(204, None)
            .to(post(session::logout)),
        endpoint(Method::POST, "/api/v1/auth/logout-all", "auth.logout_all", "End every session of the signed-in user")
            .tag("auth")
            .returns(200, Some(object("sessions_ended")))
            .to(post(session::logout_all)),
        endpoint(Method::GET, "/api/v1/auth/me", "auth.me", "Who is signed in, in which workspace, with which rights")
            .tag("auth")
            .returns(200, Some(object("user, workspace, role, teams, workspaces, csrf_token")))
            .to(get(session::me)),
        endpoint(Method::POST, "/api/v1/auth/workspace", "auth.switch_workspace", "Move this session to another workspace")
            .tag("auth")
            .body(object("{workspace: slug}"))
            .returns(200, Some(object("workspace")))
            .to(post(session::switch_workspace)),
        endpoint(Method::POST, "/api/v1/auth/password", "auth.change_password", "Change your password")
            .tag("auth")
            .body(object("{current_password, new_password}"))
            .returns(204, None)
            .to(post(session::change_password)),
        endpoint(Method::POST, "/api/v1/auth/password-reset/confirm", "auth.reset_password", "Set a new password with a one-time reset token")
            .tag("auth")
            .public()
            .body(object("{token, password}"))
            .returns(200, Some(object("user")))
            .to(post(session::finish_reset)),
        endpoint(Method::POST, "/api/v1/auth/totp/setup", "auth.totp_setup", "Start enrolling a TOTP second factor")
            .tag("auth")
            .returns(200, Some(object("secret, otpauth_uri")))
            .to(post(session::totp_setup)),
        endpoint(Method::POST, "/api/v1/auth/totp/enable", "auth.totp_enable", "Require the second factor from now on")
            .tag("auth")
            .body(object("{code}"))
            .returns(204, None)
            .to(post(session::totp_enable)),
        endpoint(Method::POST, "/api/v1/auth/totp/disable", "auth.totp_disable", "Stop requiring the second factor")
            .tag("auth")
            .body(object("{password}"))
            .returns(204, None)
            .to(post(session::totp_disable)),
        endpoint(Method::POST, "/api/v1/invitations/accept", "invitations.accept", "Accept an invitation: set a password and join")
            .tag("auth")
            .public()
            .body(object("{token, password, display_name?}"))
            .returns(201, Some(object("user, workspace")))
            .to(post(session::accept_invitation)),
        endpoint(Method::GET, "/api/v1/me/preferences", "me.preferences.get", "Your language and time zone, and those in effect")
            .tag("users")
            .returns(200, Some(object("language, time_zone, effective {language, time_zone}, workspace, languages")))
            .to(get(crate::preferences::get_preferences)),
        endpoint(Method::PUT, "/api/v1/me/preferences", "me.preferences.put", "Choose your language and time zone (null: the browser's, the workspace's)")
            .tag("users")
            .body(object("{language: tag or null, time_zone: IANA name or null}"))
            .returns(200, Some(object("as GET")))
            .to(put(crate::preferences::put_preferences)),
        endpoint(Method::GET, "/api/v1/me/widgets", "me.widgets.list", "The widgets on your home page")
            .tag("users")
            .returns(200, Some(object("data: [{id, entity, view, figure, view_name, view_gone}]")))
            .to(get(crate::widgets::list)),
        endpoint(Method::POST, "/api/v1/me/widgets", "me.widgets.create", "Put a figure of a saved view on your home page")
            .tag("users")
            .body(object("{entity, view: saved view id, figure: count | sum:<money field> | chart:<field>}"))
            .returns(201, Some(object("id, entity, view, figure")))
            .to(post(crate::widgets::create)),
        endpoint(Method::DELETE, "/api/v1/me/widgets/{id}", "me.widgets.delete", "Take a widget off your home page")
            .tag("users")
            .returns(204, None)
            .to(delete(crate::widgets::delete)),
        endpoint(Method::PUT, "/api/v1/workspace/locale", "workspace.locale.put", "The workspace's default language and time zone (administrators)")
            .tag("users")
            .body(object("{language: tag or null, time_zone: IANA name or null}"))
            .returns(200, Some(object("language, time_zone")))
            .to(put(crate::preferences::put_workspace_locale)),
        endpoint(Method::GET, "/api/v1/users", "users.list", "Members of the workspace")
            .tag("users")
            .returns(200, Some(list_of("User: id, email, display_name, role, active, joined_at")))
            .to(get(p::list_users)),
        endpoint(Method::POST, "/api/v1/users", "users.add", "Add a member (with a password) or invite one (without)")
            .tag("users")
            .body(object("{email, role, display_name?, password?}"))
            .returns(201, Some(object("user, or invitation {token, url, expires_at}")))
            .to(post(p::add_user)),
        endpoint(Method::GET, "/api/v1/users/{id}", "users.get", "One member")
            .tag("users")
            .returns(200, Some(object("User")))
            .to(get(p::get_user)),
        endpoint(Method::PATCH, "/api/v1/users/{id}", "users.update", "Change a member's role or display name")
            .tag("users")
            .body(object("{role?, display_name?}"))
            .returns(200, Some(object("User")))
            .to(patch(p::update_user)),
        endpoint(Method::POST, "/api/v1/users/{id}/deactivate", "users.deactivate", "Deactivate a member (records are kept)")
            .tag("users")
            .returns(200, Some(object("User")))
            .to(post(|s: S, a: Auth, id: Path<String>| p::set_user_active(false, s, a, id))),
        endpoint(Method::POST, "/api/v1/users/{id}/reactivate", "users.reactivate", "Reactivate a member")
            .tag("users")
            .returns(200, Some(object("User")))
            .to(post(|s: S, a: Auth, id: Path<String>| p::set_user_active(true, s, a, id))),
        endpoint(Method::POST, "/api/v1/users/{id}/reassign", "users.reassign", "Give a member's records to another member")
            .tag("users")
            .body(object("{to, entities?}"))
            .returns(200, Some(object("reassigned: records per entity type")))
            .to(post(p::reassign)),
        endpoint(Method::GET, "/api/v1/roles", "roles.list", "Roles and their rights")
            .tag("roles")
            .returns(200, Some(list_of("Role: name, label, built_in, admin, entities, fields")))
            .to(get(p::list_roles)),
        endpoint(Method::PUT, "/api/v1/roles/{id}", "roles.put", "Define a role or change a built-in one (id: the role name)")
            .tag("roles")
            .body(object("{label?, admin?, entities: {entity: {create, read, update, delete, export}}, fields: {entity: {field: hidden|read_only}}}"))
            .returns(200, Some(object("Role")))
            .to(put(p::put_role)),
        endpoint(Method::DELETE, "/api/v1/roles/{id}", "roles.delete", "Remove a custom role, or reset a built-in one")
            .tag("roles")
            .returns(204, None)
            .to(delete(p::delete_role)),
        endpoint(
            Method::GET,
            "/api/v1/notifications",
            "notifications.list",
            "Your notifications, newest first (unread=true: only unread; before: a notification id), and how many \
             are unread",
        )
        .tag("notifications")
        .query(&["unread", "before", "limit"])
        .returns(200, Some(object("data: [{id, kind, title, body, link, created_at, read_at, read}], unread, next_before")))
        .to(get(crate::notifications::list)),
        endpoint(Method::POST, "/api/v1/notifications/{id}/read", "notifications.read", "Mark one of your notifications read")
            .tag("notifications")
            .returns(200, Some(object("marked")))
            .to(post(crate::notifications::read_one)),
        endpoint(Method::POST, "/api/v1/notifications/read", "notifications.read_all", "Mark all your notifications read")
            .tag("notifications")
            .returns(200, Some(object("marked")))
            .to(post(crate::notifications::read_all)),
        endpoint(Method::GET, "/api/v1/calls/next", "calls.next", "Your next call: your open call-queue entry due now with the highest priority (data: null when none)")
            .tag("calls")
            .returns(200, Some(object("data: CallQueueEntry or null")))
            .to(get(crate::calls::next)),
        endpoint(
            Method::POST,
            "/api/v1/call_queue_entries/{id}/outcome",
            "calls.outcome",
            "Log a call of an open entry: reached or wrong_number close it, no_answer and busy make it due an hour \
             later, call_back makes it due at call_back_at; the call is an activity on the customer's timeline, timed \
             by the phone call the dialler made for the entry (answered to ended), with an optional follow-up task",
        )
        .tag("calls")
        .body(object(
            "{outcome: reached|no_answer|busy|wrong_number|call_back, note?, call_back_at?, follow_up?: {subject, due_at}}",
        ))
        .returns(200, Some(object("entry, call, phone_call, follow_up")))
        .to(post(crate::calls::outcome)),
        endpoint(
            Method::POST,
            "/api/v1/phone_calls/{id}/log",
            "phone_calls.log",
            "Log a phone call the switch reported: a call activity on the customer's timeline with the outcome, notes \
             and the duration of the switch's events (answered to ended), an optional follow-up task, and for \
             call_back a call to make due at call_back_at; the entry the dialler called is closed or due again. A call \
             is logged once (409 after)",
        )
        .tag("telephony")
        .body(object(
            "{outcome: reached|no_answer|busy|wrong_number|call_back, note?, call_back_at?, follow_up?: {subject, due_at}}",
        ))
        .returns(200, Some(object("activity, phone_call, entry, follow_up, call_back")))
        .to(post(crate::calls::log_phone_call)),
        endpoint(
            Method::POST,
            "/api/v1/phone_calls/{id}/order",
            "phone_calls.order",
            "Take an order in a call: an order for the caller's account and contact, its lines' products priced from \
             the catalogue's price books as any order; the call names the order. 422 on account when the caller has \
             no account",
        )
        .tag("telephony")
        .body(object("{lines: [{product, quantity}], notes?, currency?}"))
        .returns(201, Some(object("order, phone_call")))
        .to(post(crate::calls::take_order)),
        endpoint(
            Method::POST,
            "/api/v1/calls/dialler",
            "calls.dialler",
            "The progressive dialler: when you are free (no call of yours dialling, ringing or talked on in the last \
             two hours), dials your next call to make from your extension (201, state dialled); otherwise says why: \
             busy (your live call), to_log (the next entry's last call waits for its outcome) or done (no call due). A \
             do-not-call number cancels its entry and the next is dialled",
        )
        .tag("calls")
        .returns(201, Some(object("{state: dialled (201) | busy | to_log | done (200), entry, call}")))
        .to(post(crate::calls::dialler)),
        endpoint(Method::GET, "/api/v1/channels/{channel}", "channels.settings", "A channel's settings (email: the SMTP server; sms: the HTTP gateway), secrets left out (administrators)")
            .tag("channels")
            .returns(200, Some(object("channel, settings (null when unset)")))
            .to(get(crate::channels::settings)),
        endpoint(
            Method::PUT,
            "/api/v1/channels/{channel}",
            "channels.put_settings",
            "Put a channel's settings (administrators). email takes host, port, security (starttls, tls or none), \
             username, password, from_address, from_name and reply_to; sms takes url, method, content_type (json or \
             form), body (a template with the merge fields to, from and text), sender, auth_header, auth_value and \
             success_contains. A secret left out is kept.",
        )
        .tag("channels")
        .body(object("the channel's settings"))
        .returns(200, Some(object("channel, settings")))
        .to(put(crate::channels::put_settings)),
        endpoint(
            Method::GET,
            "/api/v1/service/mailboxes",
            "service.mailboxes",
            "The service desk's mailboxes (administrators), passwords left out, with each folder's checkpoint and the last read's outcome",
        )
        .tag("service")
        .returns(200, Some(object("data: the mailboxes")))
        .to(get(crate::customer_service::mailboxes)),
        endpoint(
            Method::PUT,
            "/api/v1/service/mailboxes/{name}",
            "service.mailboxes.put",
            "Connect a service desk mailbox (administrators): receive (imap, the default, or smtp: the mail is delivered \
             to Relata's own SMTP endpoint, relata serve --smtp-listen, and only the address is needed); for imap: host, port, security (tls, starttls, or none on \
             loopback), username, password (left out, the stored one is kept), address (the desk's: mail from it is \
             held), folders (default INBOX), max_message_mb (1 to 100, default 25: a larger message is held, its header \
             alone read), closed_replies (reopen or new_case) and what a case it opens starts with (team, category). \
             Read every five minutes: a new message opens a case, a reply is threaded into its case; what cannot or \
             should not be answered is held (held_messages).",
        )
        .tag("service")
        .body(object("the mailbox's settings"))
        .returns(200, Some(object("mailbox")))
        .to(put(crate::customer_service::put_mailbox)),
        endpoint(
            Method::DELETE,
            "/api/v1/service/mailboxes/{name}",
            "service.mailboxes.delete",
            "Remove a service desk mailbox; the cases it opened stay",
        )
        .tag("service")
        .returns(204, None)
        .to(delete(crate::customer_service::delete_mailbox)),
        endpoint(
            Method::POST,
            "/api/v1/service/mailboxes/{name}/sync",
            "service.mailboxes.sync",
            "Read a service desk mailbox now (a job; answers its id)",
        )
        .tag("service")
        .returns(202, Some(object("job")))
        .to(post(crate::customer_service::sync_mailbox)),
        endpoint(
            Method::GET,
            "/api/v1/cases/{id}/suggested_articles",
            "cases.suggested_articles",
            "Published knowledge articles that share the most words with the case's subject and description (at most five)",
        )
        .tag("cases")
        .returns(200, Some(object("data: articles")))
        .to(get(crate::customer_service::suggested_articles)),
        endpoint(
            Method::GET,
            "/api/v1/service/report",
            "service.report",
            "Service figures of the last days (1 to 366, 30 by default) over the cases you may read: open backlog by age, team and priority, SLA compliance, first-response and resolution times (median, 90th percentile), the backlog by day, top categories and root causes, comments per case by channel; JSON or an XLSX workbook (format)",
        )
        .tag("service")
        .query(&["days", "format"])
        .returns(200, Some(object("the figures")))
        .to(get(crate::customer_service::report)),
        endpoint(
            Method::POST,
            "/api/v1/cases/{id}/merge",
            "cases.merge",
            "Merge a duplicate case into another: its comments move over, and it is closed as merged (into: the case id)",
        )
        .tag("cases")
        .body(object("into: the case to merge into"))
        .returns(200, Some(schema_ref("Case")))
        .to(post(crate::customer_service::merge_case)),
        endpoint(
            Method::POST,
            "/api/v1/cases/{id}/split",
            "cases.split",
            "Split comments off into a new case about the same customer, linked to this one (subject, comments)",
        )
        .tag("cases")
        .body(object("subject, comments: the ids of the comments that move"))
        .returns(201, Some(schema_ref("Case")))
        .to(post(crate::customer_service::split_case)),
        endpoint(
            Method::POST,
            "/api/v1/held_messages/{id}/release",
            "held_messages.release",
            "Take a message the desk held back (no sender, a forged one, the desk's own address, over the size limit, unreadable) into a case after all, as the desk would have; answers the case",
        )
        .tag("held_messages")
        .returns(200, Some(schema_ref("Case")))
        .to(post(crate::customer_service::release_held)),
        endpoint(
            Method::POST,
            "/api/v1/held_messages/{id}/discard",
            "held_messages.discard",
            "Discard a message the desk held back: kept as discarded, its bytes deleted",
        )
        .tag("held_messages")
        .returns(200, Some(schema_ref("Heldmessage")))
        .to(post(crate::customer_service::discard_held)),
        endpoint(
            Method::POST,
            "/api/v1/kb_articles/{id}/feedback",
            "kb_articles.feedback",
            "Was this article helpful: a body with helpful true or false, counted on the published article",
        )
        .tag("kb_articles")
        .body(object("{helpful: boolean}"))
        .returns(200, Some(schema_ref("Knowledgearticle")))
        .to(post(crate::customer_service::article_feedback)),
        endpoint(Method::GET, "/api/v1/mailbox", "mailbox.get", "Your own mailbox (IMAP), the password left out, with each folder's checkpoint and the last sync's outcome (mailbox: null when none)")
            .tag("channels")
            .returns(200, Some(object("mailbox")))
            .to(get(crate::channels::mailbox)),
        endpoint(
            Method::PUT,
            "/api/v1/mailbox",
            "mailbox.put",
            "Connect your own mailbox: host, port, security (tls, starttls, or none on loopback), username, password \
             (an app password; left out, the stored one is kept), address (yours: mail from it is outbound), folders \
             (default INBOX) and sharing (nothing, subject_and_people or everything: what colleagues see of your mail \
             on customers' timelines). Mail to and from known contacts is logged as emails, every five minutes.",
        )
        .tag("channels")
        .body(object("the mailbox's settings"))
        .returns(200, Some(object("mailbox")))
        .to(put(crate::channels::put_mailbox)),
        endpoint(Method::DELETE, "/api/v1/mailbox", "mailbox.delete", "Disconnect your mailbox; the mail logged stays")
            .tag("channels")
            .returns(204, None)
            .to(delete(crate::channels::delete_mailbox)),
        endpoint(Method::POST, "/api/v1/mailbox/sync", "mailbox.sync", "Sync your mailbox now (a job; answers its id)")
            .tag("channels")
            .returns(202, Some(object("job")))
            .to(post(crate::channels::sync_mailbox)),
        endpoint(
            Method::POST,
            "/api/v1/messages/{id}/delivery",
            "messages.delivery",
            "A delivery report for a sent message (an SMS gateway's callback): delivered, or failed with the reason",
        )
        .tag("messages")
        .body(object("{status: delivered|failed, reason?}"))
        .returns(200, Some(schema_ref("Message")))
        .to(post(crate::channels::delivery)),
        endpoint(Method::GET, "/api/v1/print_batches/{id}/pdf", "print_batches.pdf", "The batch's letters as one PDF on the workspace's letterhead")
            .tag("print_batches")
            .returns(200, Some(object("application/pdf")))
            .to(get(crate::channels::batch_pdf)),
        endpoint(Method::POST, "/api/v1/print_batches/{id}/posted", "print_batches.posted", "Mark the batch posted: its letters are sent (blocked where postal consent was withdrawn)")
            .tag("print_batches")
            .returns(200, Some(schema_ref("Printbatch")))
            .to(post(crate::channels::batch_posted)),
        endpoint(
            Method::POST,
            "/api/v1/message_templates/{id}/preview",
            "message_templates.preview",
            "The message the template makes for one recipient (the variant in the contact's language, merge fields filled), nothing stored",
        )
        .tag("message_templates")
        .body(object("{contact?, account?, about_entity?, about_id?}"))
        .returns(200, Some(object("channel, to_address, postal_address, language, purpose, subject, body")))
        .to(post(crate::channels::preview)),
        endpoint(
            Method::POST,
            "/api/v1/automation_rules/{id}/dry_run",
            "automation_rules.dry_run",
            "What the rule would act on now (count, the first 20 records) and the messages it would write for each, nothing done",
        )
        .tag("automation_rules")
        .returns(200, Some(object("count, records: [{record, title, messages}], steps")))
        .to(post(crate::channels::dry_run)),
        endpoint(Method::GET, "/unsubscribe/{workspace}/{token}", "pages.unsubscribe", "The page an email's unsubscribe link opens: asks to confirm")
            .tag("pages")
            .public()
            .to(get(crate::channels::unsubscribe_form)),
        endpoint(Method::POST, "/unsubscribe/{workspace}/{token}", "pages.unsubscribe_confirm", "Unsubscribe (the page's button, or a mail client's one-click request, RFC 8058): consent withdrawn")
            .tag("pages")
            .public()
            .to(post(crate::channels::unsubscribe)),
        endpoint(Method::GET, "/automation_rules/{id}/dry_run", "pages.automation_rules.dry_run", "What a rule would act on now and what it would send, nothing done")
            .tag("pages")
            .public()
            .to(get(crate::web::automation::dry_run)),
        endpoint(Method::POST, "/automation_rules/{id}/active", "pages.automation_rules.active", "Pause or resume a rule from its page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::automation::set_active)),
        endpoint(Method::POST, "/print_batches/{id}/posted", "pages.print_batches.posted", "Mark a print batch posted from its page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::automation::posted)),
        endpoint(Method::GET, "/settings/channels", "pages.settings.channels", "The workspace's SMTP server and SMS gateway (administrators)")
            .tag("pages")
            .public()
            .to(get(crate::web::automation::channel_settings)),
        endpoint(Method::POST, "/settings/channels/{channel}", "pages.settings.channels_save", "Save a channel's settings from the page")
            .tag("pages")
            .public()
            .to(post(crate::web::automation::save_channel_settings)),
        endpoint(Method::GET, "/calls/next", "pages.calls.next", "The next call to make, and the form logging it")
            .tag("pages")
            .public()
            .to(get(crate::web::calls::next_call)),
        endpoint(Method::GET, "/calls/dashboard", "pages.calls.dashboard", "The call center's last 30 days, drawn by the server")
            .tag("pages")
            .public()
            .to(get(crate::web::calls::dashboard)),
        endpoint(Method::GET, "/calls/waiting", "pages.calls.waiting", "The calls ringing now, by queue, the most valuable caller first")
            .tag("pages")
            .public()
            .to(get(crate::web::calls::waiting_calls)),
        endpoint(Method::POST, "/calls/{id}/outcome", "pages.calls.outcome", "Log a call from the next-call page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::calls::log_outcome)),
        endpoint(Method::POST, "/calls/dial", "pages.calls.dial", "Click-to-dial from a record's page, then the call's page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::calls::dial)),
        endpoint(Method::POST, "/calls/next/dial", "pages.calls.dial_next", "The dialler's next step from the next-call page: dial the next call when you are free")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::calls::dial_next)),
        endpoint(Method::GET, "/calls/phone/{id}", "pages.calls.phone_call", "A phone call's page: the caller, the form logging the call and the form taking an order")
            .tag("pages")
            .public()
            .to(get(crate::web::calls::phone_call)),
        endpoint(Method::POST, "/calls/phone/{id}/log", "pages.calls.log_phone_call", "Log a phone call from its page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::calls::log_phone_call)),
        endpoint(Method::POST, "/calls/phone/{id}/order", "pages.calls.take_order", "Take an order for the caller's account from the call's page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::calls::take_order)),
        endpoint(Method::GET, "/preferences", "pages.preferences", "Your language and time zone")
            .tag("pages")
            .public()
            .to(get(crate::web::preferences::preferences_page)),
        endpoint(Method::POST, "/preferences", "pages.preferences_save", "Save your language and time zone")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::preferences::save_preferences)),
        endpoint(Method::GET, "/connect", "pages.connect", "Phones and calendars: CardDAV and CalDAV addresses, what they show, app passwords")
            .tag("pages")
            .public()
            .to(get(crate::web::connect::connect_page)),
        endpoint(Method::POST, "/connect/subscription", "pages.connect_subscription", "Choose what your address book and calendar show")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::connect::save_subscription)),
        endpoint(Method::POST, "/connect/tokens", "pages.connect_token", "Make an app password (shown once)")
            .tag("pages")
            .public()
            .returns(201, None)
            .to(post(crate::web::connect::create_app_password)),
        endpoint(Method::POST, "/connect/tokens/{id}/revoke", "pages.connect_revoke", "Revoke an app password")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::connect::revoke_app_password)),
        endpoint(Method::GET, "/calendar", "pages.calendar", "Meetings, calls and tasks by day, week or month")
            .tag("pages")
            .public()
            .to(get(crate::web::calendar::calendar)),
        endpoint(Method::POST, "/calendar/move", "pages.calendar_move", "Reschedule an activity from the calendar")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::calendar::move_entry)),
        endpoint(Method::GET, "/calendar/find-time", "pages.find_time", "Busy times of several people and a free slot")
            .tag("pages")
            .public()
            .to(get(crate::web::calendar::find_time)),
        endpoint(Method::POST, "/home/widgets", "pages.add_widget", "Put a figure of a saved view on your home page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::dashboard::add_widget)),
        endpoint(Method::POST, "/home/widgets/{id}/delete", "pages.remove_widget", "Take a widget off your home page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::dashboard::remove_widget)),
        endpoint(Method::GET, "/notifications", "pages.notifications", "Your notifications (the header's bell)")
            .tag("pages")
            .public()
            .to(get(crate::web::home::notifications_page)),
        endpoint(Method::POST, "/notifications/read", "pages.notifications_read", "Mark notifications read from the page")
            .tag("pages")
            .public()
            .returns(303, None)
            .to(post(crate::web::home::notifications_read)),
        endpoint(Method::GET, "/api/v1/sync/settings", "sync.settings", "How sync conflicts are settled in this workspace")
            .tag("sync")
            .returns(200, Some(object("{conflict_policy: server_wins | client_wins | latest_per_field}")))
            .to(get(crate::sync::settings)),
        endpoint(
            Method::PUT,
            "/api/v1/sync/settings",
            "sync.settings.put",
            "Set how a conflict on one field is settled: server_wins (the default), client_wins, or latest_per_field \
             (the later change wins, the device saying when it made its own in changed_at) (administrators)",
        )
        .tag("sync")
        .body(object("{conflict_policy}"))
        .returns(200, Some(object("{conflict_policy}")))
        .to(put(crate::sync::put_settings)),
        endpoint(
            Method::GET,
            "/api/v1/sync/dav",
            "sync.dav",
            "What your CardDAV address book and CalDAV calendar show (list filters; by default your own contacts \
             and activities) and their addresses. Clients sign in with your email and an API token as the password",
        )
        .tag("sync")
        .returns(200, Some(object("{contacts, activities, carddav, caldav}")))
        .to(get(crate::sync::dav_subscription)),
        endpoint(
            Method::PUT,
            "/api/v1/sync/dav",
            "sync.dav.put",
            "Choose what your address book (contacts) and calendar (activities: timed meetings and calls, tasks) \
             show, in the list filter language (me being you)",
        )
        .tag("sync")
        .body(object("{contacts?, activities?}"))
        .returns(200, Some(object("{contacts, activities, carddav, caldav}")))
        .to(put(crate::sync::put_dav_subscription)),
        endpoint(Method::GET, "/api/v1/sync/devices", "sync.devices", "Your offline devices")
            .tag("sync")
            .returns(200, Some(object("{data: [Device]}")))
            .to(get(crate::sync::devices)),
        endpoint(
            Method::POST,
            "/api/v1/sync/devices",
            "sync.devices.create",
            "Register an offline device (a laptop, a phone) with its subscriptions: each an entity type, a filter in \
             the list filter language (me being you) and which related types a record brings along (absent: all \
             the modules declare; an empty list: none)",
        )
        .tag("sync")
        .body(object("{name, subscriptions?}"))
        .returns(201, Some(object("Device {id, name, subscriptions, created_at, last_sync_at}")))
        .to(post(crate::sync::create_device)),
        endpoint(Method::GET, "/api/v1/sync/devices/{id}", "sync.devices.get", "One of your devices")
            .tag("sync")
            .returns(200, Some(object("Device")))
            .to(get(crate::sync::device)),
        endpoint(Method::DELETE, "/api/v1/sync/devices/{id}", "sync.devices.delete", "Forget a device")
            .tag("sync")
            .returns(204, None)
            .to(delete(crate::sync::delete_device)),
        endpoint(
            Method::PUT,
            "/api/v1/sync/devices/{id}/subscriptions",
            "sync.devices.subscriptions",
            "Replace a device's subscriptions; its next pull sends what came into them and removes what left",
        )
        .tag("sync")
        .body(object("{subscriptions: [{entity, filter?, related?}]}"))
        .returns(200, Some(object("Device")))
        .to(put(crate::sync::put_subscriptions)),
        endpoint(
            Method::POST,
            "/api/v1/sync/devices/{id}/pull",
            "sync.pull",
            "What changed within the device's subscriptions since its cursor (none: everything, page by page while \
             more is true): the types' descriptions first when they changed (op metadata), then records to keep \
             (op upsert, with the record as you may read it) and records to remove (op remove, with the reason: \
             deleted, out_of_subscription or out_of_reach). Coming back with a cursor confirms the pull that gave \
             it; a pull whose answer was lost is answered again in full when the device comes back with the cursor \
             before it",
        )
        .tag("sync")
        .body(object("{cursor?, limit? (1 to 2000, default 500)}"))
        .returns(200, Some(object("{cursor, more, changes}")))
        .to(post(crate::sync::pull)),
        endpoint(
            Method::POST,
            "/api/v1/sync/devices/{id}/push",
            "sync.push",
            "Apply changes made offline, at most 500 a push, each with an id of the device's (a push sent again \
             answers what the first did), the entity type, op (create, update or delete), the record's id and the \
             version it was made on (update, delete), the fields, and when it was made (changed_at). Fields the \
             server did not change since that version merge; a field both changed is a conflict, settled by the \
             workspace's policy and reported with both values",
        )
        .tag("sync")
        .body(object("{changes: [...]}"))
        .returns(
            200,
            Some(object(
                "{results: [{id, status: applied | merged | conflict | rejected, record_id, version, record, \
                 conflicts: [{field, client, server, kept}], errors, replayed?}]}",
            )),
        )
        .to(post(crate::sync::push)),
        endpoint(Method::GET, "/api/v1/webhooks", "webhooks.list", "Outbound webhook subscriptions (administrators)")
            .tag("webhooks")
            .returns(200, Some(list_of("Subscription: id, name, url, events, filter, secret, active, paused_reason")))
            .to(get(crate::webhooks::list)),
        endpoint(
            Method::POST,
            "/api/v1/webhooks",
            "webhooks.create",
            "Subscribe a receiver to event types (invoice.issued, contact.updated, order.*, *), optionally for records \
             a filter selects; deliveries are JSON with an event id, signed in Relata-Signature: t=UNIX,v1=HMAC-SHA256 \
             of \"t.body\" with the subscription's secret",
        )
        .tag("webhooks")
        .body(object("{name?, url, events: [..], filter?, active?}"))
        .returns(201, Some(object("Subscription, with its secret")))
        .to(post(crate::webhooks::create)),
        endpoint(Method::GET, "/api/v1/webhooks/{id}", "webhooks.get", "One subscription")
            .tag("webhooks")
            .returns(200, Some(object("Subscription")))
            .to(get(crate::webhooks::get)),
        endpoint(
            Method::PATCH,
            "/api/v1/webhooks/{id}",
            "webhooks.update",
            "Change a subscription; active: true resumes a paused one (what waited is sent); rotate_secret: true",
        )
        .tag("webhooks")
        .body(object("{name?, url?, events?, filter?, active?, rotate_secret?}"))
        .returns(200, Some(object("Subscription")))
        .to(patch(crate::webhooks::update)),
        endpoint(Method::DELETE, "/api/v1/webhooks/{id}", "webhooks.delete", "Remove a subscription and its log")
            .tag("webhooks")
            .returns(200, Some(object("{deleted: true}")))
            .to(delete(crate::webhooks::delete)),
        endpoint(
            Method::GET,
            "/api/v1/webhooks/{id}/deliveries",
            "webhooks.deliveries",
            "The delivery log, newest first: state, attempts, the receiver's status, the last error, the body",
        )
        .tag("webhooks")
        .query(&["before", "limit"])
        .returns(200, Some(object("{data: [Delivery], next_before}")))
        .to(get(crate::webhooks::deliveries)),
        endpoint(
            Method::POST,
            "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
            "webhooks.redeliver",
            "Send a delivery again, with the same event id",
        )
        .tag("webhooks")
        .returns(202, Some(object("Delivery")))
        .to(post(crate::webhooks::redeliver)),
        endpoint(Method::GET, "/api/v1/teams", "teams.list", "Teams and their members")
            .tag("teams")
            .returns(200, Some(list_of("Team: id, name, members [{user, manager}]")))
            .to(get(p::list_teams)),
        endpoint(Method::POST, "/api/v1/teams", "teams.create", "Create a team")
            .tag("teams")
            .body(object("{name}"))
            .returns(201, Some(object("Team")))
            .to(post(p::create_team)),
        endpoint(Method::GET, "/api/v1/teams/{id}", "teams.get", "One team")
            .tag("teams")
            .returns(200, Some(object("Team")))
            .to(get(p::get_team)),
        endpoint(Method::PATCH, "/api/v1/teams/{id}", "teams.rename", "Rename a team")
            .tag("teams")
            .body(object("{name}"))
            .returns(200, Some(object("Team")))
            .to(patch(p::rename_team)),
        endpoint(Method::DELETE, "/api/v1/teams/{id}", "teams.delete", "Delete a team")
            .tag("teams")
            .returns(204, None)
            .to(delete(p::delete_team)),
        endpoint(Method::PUT, "/api/v1/teams/{id}/members/{user_id}", "teams.put_member", "Add a member, or set whether they manage the team")
            .tag("teams")
            .body(object("{manager?}"))
            .returns(200, Some(object("Team")))
            .to(put(p::put_team_member)),
        endpoint(Method::DELETE, "/api/v1/teams/{id}/members/{user_id}", "teams.remove_member", "Remove a member from a team")
            .tag("teams")
            .returns(204, None)
            .to(delete(p::remove_team_member)),
        endpoint(Method::GET, "/api/v1/tokens", "tokens.list", "Your API tokens (all=true: everyone's, admins)")
            .tag("tokens")
            .query(&["all"])
            .returns(200, Some(list_of("Token: id, user, name, scope, entities, created_at, last_used_at, expires_at, revoked_at")))
            .to(get(p::list_tokens)),
        endpoint(Method::POST, "/api/v1/tokens", "tokens.create", "Create an API token (the secret is answered once)")
            .tag("tokens")
            .body(object("{name, scope?: read|read_write, entities?: [entity], expires_at?}"))
            .returns(201, Some(object("Token with secret")))
            .to(post(p::create_token)),
        endpoint(Method::DELETE, "/api/v1/tokens/{id}", "tokens.revoke", "Revoke an API token")
            .tag("tokens")
            .returns(204, None)
            .to(delete(p::revoke_token)),
        endpoint(Method::GET, "/api/v1/audit", "audit.list", "The workspace's audit log, newest first (admins)")
            .tag("audit")
            .query(&["action", "actor", "outcome", "since", "until", "cursor", "limit"])
            .returns(200, Some(list_of("Audit entry: seq, at, actor, action, outcome, target_type, target_id, address, details")))
            .to(get(p::audit_log)),
        endpoint(Method::GET, "/api/v1/admin/audit", "admin.audit", "Audit events outside any workspace (server administrators)")
            .tag("admin")
            .query(&["action", "actor", "outcome", "since", "until", "cursor", "limit"])
            .returns(200, Some(list_of("Audit entry")))
            .to(get(p::server_audit_log)),
        endpoint(Method::GET, "/api/v1/admin/jobs", "admin.jobs.list", "Durable jobs, newest first, with counts per state (admins; state=queued|failed|running|done|dead|cancelled, failed: queued again after a failed attempt; all=true: every workspace's, server administrators)")
            .tag("admin")
            .query(crate::jobs::JOB_PARAMS)
            .returns(200, Some(list_of("Job: id, kind, state, payload, run_at, attempts, max_attempts, lease_until, leased_by, last_error, idempotency_key, schedule, created_at, updated_at, finished_at")))
            .to(get(crate::jobs::list)),
        endpoint(Method::POST, "/api/v1/admin/jobs", "admin.jobs.enqueue", "Enqueue a job of a kind administrators may enqueue (http.post)")
            .tag("admin")
            .body(object("{kind, payload, run_at?, max_attempts?, idempotency_key?}"))
            .returns(201, Some(object("Job")))
            .to(post(crate::jobs::enqueue)),
        endpoint(Method::GET, "/api/v1/admin/jobs/{id}", "admin.jobs.get", "One job")
            .tag("admin")
            .returns(200, Some(object("Job")))
            .to(get(crate::jobs::get_one)),
        endpoint(Method::POST, "/api/v1/admin/jobs/{id}/retry", "admin.jobs.retry", "Queue a dead or cancelled job again")
            .tag("admin")
            .returns(200, Some(object("Job")))
            .to(post(crate::jobs::retry)),
        endpoint(Method::POST, "/api/v1/admin/jobs/{id}/cancel", "admin.jobs.cancel", "Cancel a queued job")
            .tag("admin")
            .returns(200, Some(object("Job")))
            .to(post(crate::jobs::cancel)),
        endpoint(Method::GET, "/api/v1/admin/schedules", "admin.schedules.list", "Recurring jobs of the workspace (admins)")
            .tag("admin")
            .returns(200, Some(list_of("Schedule: id, name, kind, payload, cron, time_zone, enabled, next_run_at")))
            .to(get(crate::jobs::schedules)),
        endpoint(Method::PUT, "/api/v1/admin/schedules/{id}", "admin.schedules.put", "Define a recurring job (id: its name): a cron expression in a time zone")
            .tag("admin")
            .body(object("{kind, payload, cron, time_zone?, enabled?}"))
            .returns(200, Some(object("Schedule")))
            .to(put(crate::jobs::put_schedule)),
        endpoint(Method::GET, "/api/v1/admin/workspaces", "admin.workspaces.list", "Every workspace (server administrators)")
            .tag("admin")
            .returns(200, Some(list_of("Workspace")))
            .to(get(p::list_workspaces)),
        endpoint(Method::POST, "/api/v1/admin/workspaces", "admin.workspaces.create", "Create a workspace (server administrators)")
            .tag("admin")
            .body(object("{name, slug?, currencies?, phone_region?}"))
            .returns(201, Some(object("Workspace")))
            .to(post(p::create_workspace)),
        endpoint(Method::GET, "/api/v1/contacts/{id}/consents", "contacts.consents", "A contact's consent per channel, and its history")
            .tag("privacy")
            .returns(200, Some(object("current, history")))
            .to(get(p::consents)),
        endpoint(Method::POST, "/api/v1/contacts/{id}/consents", "contacts.record_consent", "Record consent given or withdrawn")
            .tag("privacy")
            .body(object("{channel: email|sms|phone|post, status: given|withdrawn, source, note?}"))
            .returns(201, Some(object("Consent entry")))
            .to(post(p::record_consent)),
        endpoint(Method::GET, "/api/v1/contacts/{id}/personal-data", "contacts.personal_data", "Everything stored about the person (GDPR export)")
            .tag("privacy")
            .returns(200, Some(object("contact, history, activities, opportunities, leads, consents")))
            .to(get(p::personal_data)),
        endpoint(Method::POST, "/api/v1/contacts/{id}/erase", "contacts.erase", "Erase the person by anonymisation (admins)")
            .tag("privacy")
            .returns(200, Some(object("contact, leads, activities, history_entries_redacted")))
            .to(post(p::erase)),
    ]
}

/// The pages of every entity type (signed in by session cookie).
fn page_routes() -> Vec<Route> {
    use crate::web::{commerce, forms, lists, records};
    let page = |method: Method, path: &str, id: &str, summary: &str| {
        endpoint(method, path.to_string(), id.to_string(), summary.to_string()).tag("pages").public()
    };
    vec![
        page(Method::GET, "/{entity}", "pages.list", "The list page of an entity type").to(get(lists::list)),
        page(Method::POST, "/{entity}", "pages.create", "Create a record from the form")
            .returns(303, None)
            .to(post(forms::create)),
        page(Method::GET, "/{entity}/new", "pages.new", "The form for a new record").to(get(forms::new_form)),
        page(Method::GET, "/{entity}/{id}", "pages.record", "A record's page").to(get(records::record)),
        page(Method::POST, "/{entity}/{id}", "pages.update", "Save a record's form")
            .returns(303, None)
            .to(post(forms::update)),
        page(Method::GET, "/{entity}/{id}/edit", "pages.edit", "A record's edit form").to(get(forms::edit_form)),
        page(Method::POST, "/{entity}/{id}/status", "pages.set_status", "Move a record to a status from its page")
            .returns(303, None)
            .to(post(records::set_status)),
        page(Method::POST, "/quotes/{id}/revise", "pages.quotes.revise", "Make a quote's next revision")
            .returns(303, None)
            .to(post(commerce::revise)),
        page(Method::POST, "/orders/{id}/invoice", "pages.orders.invoice", "Make an order's invoice")
            .returns(303, None)
            .to(post(commerce::invoice_order)),
        page(Method::GET, "/products/{id}/configure", "pages.products.configure", "A configurable product's options")
            .to(get(commerce::configure_form)),
        page(
            Method::POST,
            "/products/{id}/configure",
            "pages.products.configure_check",
            "Check and price a configuration",
        )
        .to(post(commerce::configure_check)),
        page(
            Method::POST,
            "/held_messages/{id}/release",
            "pages.held_messages.release",
            "Release held mail into a case",
        )
        .returns(303, None)
        .to(post(crate::web::service::release_held)),
        page(Method::POST, "/held_messages/{id}/discard", "pages.held_messages.discard", "Discard held mail")
            .returns(303, None)
            .to(post(crate::web::service::discard_held)),
        page(Method::POST, "/{entity}/bulk", "pages.bulk", "Assign or trash the selected records")
            .returns(303, None)
            .to(post(lists::bulk)),
        page(Method::POST, "/{entity}/views", "pages.save_view", "Save a view of a list")
            .returns(303, None)
            .to(post(lists::save_view)),
        page(Method::POST, "/{entity}/views/{id}/delete", "pages.delete_view", "Delete a saved view")
            .returns(303, None)
            .to(post(lists::delete_view)),
    ]
}

/// The REST endpoints of every entity type, the workspace's custom objects
/// included; the OpenAPI document lists them for each type.
/// The largest CSV file the import endpoint takes (bigger files: `relata import`).
const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

fn entity_routes() -> Vec<Route> {
    let base = "/api/v1/{entity}";
    let one = "/api/v1/{entity}/{id}";
    let record = schema_ref("{Entity}");
    let input = schema_ref("{Entity}Input");
    let all = PerEntity::All;
    vec![
        endpoint(Method::GET, format!("{base}/export"), "{entity}.export", "Export {entity} as CSV or XLSX")
            .tag("{entity}")
            .per_entity(all)
            .query(&["filter", "sort", "q", "deleted", "format"])
            .returns(200, None)
            .to(get(crate::people::export)),
        endpoint(
            Method::POST,
            format!("{base}/import"),
            "{entity}.import",
            "Import {entity} from a CSV file (text/csv)",
        )
        .tag("{entity}")
        .per_entity(all)
        .query(&["skip_bad_rows", "map"])
        .body(json!({"type": "string", "description": "CSV with a header row naming fields by id or label"}))
        .returns(200, Some(schema_ref("ImportReport")))
        .to(post(crate::people::import).layer(axum::extract::DefaultBodyLimit::max(IMPORT_BODY_LIMIT))),
        endpoint(Method::POST, base, "{entity}.create", "Create a {singular}")
            .tag("{entity}")
            .per_entity(all)
            .header("Idempotency-Key", false)
            .body(input.clone())
            .returns(201, Some(record.clone()))
            .to(post(records::create)),
        endpoint(Method::GET, base, "{entity}.list", "List {entity}")
            .tag("{entity}")
            .per_entity(all)
            .query(LIST_PARAMS)
            .returns(200, Some(openapi::page_of(record.clone())))
            .to(get(records::list)),
        endpoint(Method::GET, one, "{entity}.get", "Get a {singular}")
            .tag("{entity}")
            .per_entity(all)
            .query(&["include_deleted"])
            .returns(200, Some(record.clone()))
            .to(get(records::get_one)),
        endpoint(Method::PATCH, one, "{entity}.update", "Change a {singular}")
            .tag("{entity}")
            .per_entity(all)
            .header("If-Match", true)
            .body(input)
            .returns(200, Some(record.clone()))
            .to(patch(records::update)),
        endpoint(Method::DELETE, one, "{entity}.delete", "Move a {singular} to the trash")
            .tag("{entity}")
            .per_entity(all)
            .header("If-Match", false)
            .returns(200, Some(record.clone()))
            .to(delete(records::delete)),
        endpoint(Method::POST, format!("{one}/restore"), "{entity}.restore", "Restore a {singular} from the trash")
            .tag("{entity}")
            .per_entity(all)
            .header("If-Match", false)
            .returns(200, Some(record))
            .to(post(records::restore)),
        endpoint(
            Method::GET,
            format!("{one}/attachments/{{position}}"),
            "{entity}.attachment",
            "A file kept with the {singular} (position as in its attachments), to whoever may read it, as a download",
        )
        .tag("{entity}")
        .per_entity(PerEntity::WithFiles)
        .returns(200, None)
        .to(get(records::attachment)),
        endpoint(Method::GET, format!("{one}/history"), "{entity}.history", "{Label} change history")
            .tag("{entity}")
            .per_entity(all)
            .query(PAGE_PARAMS)
            .returns(200, Some(openapi::page_of(schema_ref("Change"))))
            .to(get(records::history)),
        endpoint(
            Method::GET,
            format!("{one}/timeline"),
            "{entity}.timeline",
            "Every episode of the {singular}'s story, newest first",
        )
        .tag("{entity}")
        .per_entity(PerEntity::WithTimeline)
        .query(PAGE_PARAMS)
        .returns(200, Some(openapi::page_of(schema_ref("TimelineItem"))))
        .to(get(records::timeline)),
        endpoint(Method::GET, "/api/v1/metadata/{entity}", "metadata.{entity}", "{Label} fields")
            .tag("metadata")
            .per_entity(all)
            .returns(200, Some(schema_ref("Entity")))
            .to(get(service::entity_metadata)),
        endpoint(
            Method::POST,
            "/api/v1/metadata/{entity}/fields",
            "metadata.{entity}.create_field",
            "Define a custom field of {entity}",
        )
        .tag("metadata")
        .per_entity(all)
        .body(schema_ref("CustomFieldInput"))
        .returns(201, Some(schema_ref("Field")))
        .to(post(service::create_custom_field)),
        endpoint(
            Method::DELETE,
            "/api/v1/metadata/{entity}/fields/{id}",
            "metadata.{entity}.delete_field",
            "Remove a custom field of {entity} (stored values are kept)",
        )
        .tag("metadata")
        .per_entity(all)
        .returns(204, None)
        .to(delete(service::delete_custom_field)),
    ]
}

/// The router built from [`table`].
pub fn router() -> Router<Arc<Server>> {
    let mut router = Router::new();
    for route in table() {
        router = router.route(&route.op.path, route.handler);
    }
    // CardDAV and CalDAV speak WebDAV's own methods: one handler each.
    router = router
        .route("/.well-known/carddav", axum::routing::any(crate::dav::well_known))
        .route("/.well-known/caldav", axum::routing::any(crate::dav::well_known))
        .route("/dav", axum::routing::any(crate::dav::handle))
        .route("/dav/", axum::routing::any(crate::dav::handle))
        .route("/dav/{*rest}", axum::routing::any(crate::dav::handle));
    router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(problems_for_plain_errors))
}

/// Turns the few plain-text errors axum answers by itself (a body over the
/// size limit, an undecodable path) into problem documents like all others.
async fn problems_for_plain_errors(response: Response) -> Response {
    if response.extensions().get::<crate::dav::Answered>().is_some() {
        return response;
    }
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // Problems are already problems; pages answer people with pages.
    let is_answered = content_type == "application/problem+json" || content_type.starts_with("text/html");
    if is_answered || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&body).trim().to_string();
    let (kind, title) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "Request body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Unsupported media type"),
        StatusCode::BAD_REQUEST => ("bad-request", "Bad request"),
        _ => ("http-error", "Request failed"),
    };
    let detail = if detail.is_empty() { status.to_string() } else { detail };
    Problem::new(status, kind, title, detail).into_response()
}

async fn no_route(uri: Uri) -> Problem {
    let path = uri.path();
    Problem::new(
        StatusCode::NOT_FOUND,
        "no-route",
        "No such endpoint",
        format!("there is no endpoint at {path}; see /api/v1/openapi.json"),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!("{method} is not supported on {}; see /api/v1/openapi.json", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_unique_and_has_an_operation_id() {
        crate::modules::install();
        let ops: Vec<Operation> = table().into_iter().map(|r| r.op).collect();
        let mut seen = std::collections::HashSet::new();
        for op in &ops {
            assert!(seen.insert((op.method.clone(), op.path.clone())), "{} {} twice", op.method, op.path);
            assert!(!op.operation_id.is_empty() && !op.tag.is_empty(), "{}", op.path);
        }
        let ids: std::collections::HashSet<_> = ops.iter().map(|o| o.operation_id.clone()).collect();
        assert_eq!(ids.len(), ops.len(), "operation ids are unique");
    }

    #[test]
    fn no_custom_object_can_take_a_path_of_relata_s_own() {
        crate::modules::install();
        let types: Vec<&str> = relata_core::meta::EntityKind::all().iter().map(|k| k.api_name()).collect();
        for op in table().into_iter().map(|r| r.op) {
            let rest = op.path.strip_prefix("/api/v1/").unwrap_or(&op.path);
            let first = rest.trim_start_matches('/').split(['/', '.']).next().unwrap_or_default();
            if first.is_empty() || first.starts_with('{') || types.contains(&first) {
                continue;
            }
            assert!(
                relata_app::custom_objects::RESERVED_NAMES.contains(&first),
                "{first:?} (from {}) must be in RESERVED_NAMES, or a custom object could shadow it",
                op.path
            );
        }
    }

    #[test]
    fn the_router_builds_from_the_table() {
        crate::modules::install();
        // Panics on overlapping routes.
        let _ = router();
    }
}
