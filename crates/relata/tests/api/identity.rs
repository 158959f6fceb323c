//! Signing in and out, sessions and CSRF, throttling, API tokens,
//! invitations, password resets, second factors and the identity CLI, on
//! both backends.

use crate::cli::{relata, stderr, stdout};
use crate::helpers::{PASSWORD, TestApp};
use reqwest::Method;
use serde_json::{Value as Json, json};

crate::both_backends!(
    sessions_sign_in_by_password_and_cookies_need_csrf,
    failed_sign_ins_are_refused_logged_and_locked,
    tokens_are_scoped_listed_and_revocable,
    invitations_set_a_password_once,
    a_second_factor_is_required_once_enabled,
    passwords_are_reset_and_changed,
    deactivated_members_lose_access_and_their_records_are_reassigned,
    workspaces_and_users_from_the_command_line,
    browser_pages_sign_in_with_a_form,
    behind_a_proxy_throttling_counts_the_forwarded_address,
    anonymous_refusals_are_throttled_and_the_audit_log_keeps_its_retention,
);

/// With `--behind-proxy`, each client behind the proxy has its own
/// failure count; without it, the header is ignored (it could be forged).
async fn behind_a_proxy_throttling_counts_the_forwarded_address(app: TestApp) {
    let app = &app;
    app.member("pia@example.com", "sales_rep").await;
    let store = relata_store::Store::open(&app.db().target()).await.unwrap();
    let proxied = relata_server::Server::configured(relata_server::modules::app(store), "http://127.0.0.1", true);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(relata_server::serve(listener, proxied, std::future::pending()));
    let client = reqwest::Client::new();
    let attempt = |base: String, from: &'static str, password: &'static str| {
        let client = client.clone();
        async move {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .header("x-forwarded-for", format!("203.0.113.9, {from}"))
                .json(&json!({"email": "pia@example.com", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt(base.clone(), "10.0.0.1", "wrong password!").await, 401);
    }
    assert_eq!(attempt(base.clone(), "10.0.0.1", PASSWORD).await, 429, "that client is locked");
    assert_eq!(attempt(base.clone(), "10.0.0.2", PASSWORD).await, 200, "another client behind the proxy is not");
    let audit = app.audit("action=sign_in&outcome=failure").await;
    assert!(audit.iter().all(|e| e["address"] == "10.0.0.1"), "the forwarded address is logged");
    // The plain server ignores the header: the peer (127.0.0.1) has no failures.
    assert_eq!(attempt(app.base.clone(), "10.0.0.1", PASSWORD).await, 200);
    server.abort();
}

async fn login_reply(app: &TestApp, body: Json) -> crate::helpers::Reply {
    let headers = [("content-type", "application/json")];
    app.send(Method::POST, "/api/v1/auth/login", None, &headers, Some(body.to_string().into_bytes())).await
}

fn cookie_of(reply: &crate::helpers::Reply) -> String {
    let set = reply.header("set-cookie").expect("a cookie is set").to_string();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set} lacks {attribute}");
    }
    set.split(';').next().unwrap().to_string()
}

async fn sessions_sign_in_by_password_and_cookies_need_csrf(app: TestApp) {
    let app = &app;
    app.post("/api/v1/users", &json!({"email": "Anna@Example.com", "role": "sales_rep", "password": PASSWORD}))
        .await
        .expect(201);
    let reply = login_reply(app, json!({"email": "anna@example.com", "password": PASSWORD})).await.expect(200);
    let cookie = cookie_of(&reply);
    let token = reply.body["session_token"].as_str().unwrap().to_string();
    let csrf = reply.body["csrf_token"].as_str().unwrap().to_string();
    assert_eq!(reply.body["role"], "sales_rep");
    assert_eq!(reply.body["workspace"]["slug"], "default");

    // The session works as a bearer token and as a cookie.
    let me = app.get_as(&token, "/api/v1/auth/me").await.expect(200);
    assert_eq!(me.body["user"]["email"], "anna@example.com");
    assert_eq!(me.body["csrf_token"], json!(csrf));
    let with_cookie = |method: Method, path: &str, csrf: Option<&str>, body: Option<Json>| {
        let cookie = cookie.clone();
        let path = path.to_string();
        let csrf = csrf.map(str::to_string);
        async move {
            let mut headers: Vec<(&str, &str)> =
                vec![("cookie", cookie.as_str()), ("content-type", "application/json")];
            if let Some(c) = &csrf {
                headers.push(("x-csrf-token", c.as_str()));
            }
            app.send(method, &path, None, &headers, body.map(|b| b.to_string().into_bytes())).await
        }
    };
    with_cookie(Method::GET, "/api/v1/contacts", None, None).await.expect(200);
    // State changes by cookie need the CSRF token; nothing is written without it.
    let before = app.snapshot().await;
    with_cookie(Method::POST, "/api/v1/contacts", None, Some(json!({"last_name": "Nowak"})))
        .await
        .expect_problem(403, "csrf");
    with_cookie(Method::POST, "/api/v1/contacts", Some("rlc_forged"), Some(json!({"last_name": "Nowak"})))
        .await
        .expect_problem(403, "csrf");
    assert_eq!(app.snapshot().await, before);
    let created = with_cookie(Method::POST, "/api/v1/contacts", Some(&csrf), Some(json!({"last_name": "Nowak"})))
        .await
        .expect(201);
    assert_eq!(created.body["owner"], me.body["user"]["id"], "a rep owns what they create");
    // Bearer sessions need no CSRF token (no browser sends them by itself).
    app.post_as(&token, "/api/v1/contacts", &json!({"last_name": "Kowalski"})).await.expect(201);

    // Wrong passwords, unknown emails, forged tokens and cookies: 401.
    let wrong = login_reply(app, json!({"email": "anna@example.com", "password": "not the password"})).await;
    assert_eq!(wrong.expect_problem(401, "unauthorized").error_codes(), ["invalid_credentials"]);
    let unknown = login_reply(app, json!({"email": "nobody@example.com", "password": PASSWORD})).await;
    assert_eq!(unknown.expect_problem(401, "unauthorized").error_codes(), ["invalid_credentials"]);
    login_reply(app, json!({"email": "anna@example.com"})).await.expect_problem(422, "validation");
    login_reply(app, json!({"email": 5, "password": PASSWORD, "extra": 1})).await.expect_problem(422, "validation");
    let forged = format!("rls_{}", "0".repeat(64));
    app.get_as(&forged, "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    app.get_as("rlt_forged", "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    app.send(Method::GET, "/api/v1/contacts", None, &[("cookie", &format!("relata_session={forged}"))], None)
        .await
        .expect_problem(401, "unauthorized");
    app.send(Method::GET, "/api/v1/contacts", None, &[], None).await.expect_problem(401, "unauthorized");

    // Signing out ends the session; signing out everywhere ends the others.
    let second = app.sign_in("anna@example.com", PASSWORD).await;
    let third = app.sign_in("anna@example.com", PASSWORD).await;
    app.post_as(&token, "/api/v1/auth/logout", &json!({})).await.expect(204);
    app.get_as(&token, "/api/v1/auth/me").await.expect_problem(401, "unauthorized");
    let second_me = app.get_as(&second.token, "/api/v1/auth/me").await.expect(200);
    assert_eq!(second_me.body["csrf_token"], json!(second.csrf), "each session has its own CSRF token");
    assert_ne!(second.csrf, csrf);
    let ended = app.post_as(&second.token, "/api/v1/auth/logout-all", &json!({})).await.expect(200);
    assert_eq!(ended.body["sessions_ended"], 2);
    app.get_as(&third.token, "/api/v1/auth/me").await.expect_problem(401, "unauthorized");
    // A token is no session to sign out of.
    app.post("/api/v1/auth/logout", &json!({})).await.expect_problem(400, "not-a-session");

    // The audit log has the sign-ins, both kinds, and the refusals.
    let sign_ins = app.audit("action=sign_in").await;
    assert!(sign_ins.iter().any(|e| e["outcome"] == "success" && e["address"] == "127.0.0.1"));
    assert!(sign_ins.iter().any(|e| e["outcome"] == "failure" && e["details"]["email"] == "anna@example.com"));
    let refused = app.audit("action=request.refused").await;
    assert!(refused.iter().any(|e| e["details"]["status"] == 403 && e["target_id"] == "POST /api/v1/contacts"));
    // Sign-ins of unknown emails belong to no workspace: not in ours, but in
    // the server's, which only server administrators read.
    assert!(!sign_ins.iter().any(|e| e["details"]["email"] == "nobody@example.com"));
    let server_log = app.get("/api/v1/admin/audit?action=sign_in").await.expect(200).body;
    assert!(server_log["data"].as_array().unwrap().iter().any(|e| e["details"]["email"] == "nobody@example.com"));
    let anna = app.sign_in("anna@example.com", PASSWORD).await;
    app.get_as(&anna.token, "/api/v1/admin/audit").await.expect_problem(403, "forbidden");
}

async fn failed_sign_ins_are_refused_logged_and_locked(app: TestApp) {
    let app = &app;
    app.member("bob@example.com", "sales_rep").await;
    for _ in 0..5 {
        login_reply(app, json!({"email": "bob@example.com", "password": "wrong password!"}))
            .await
            .expect_problem(401, "unauthorized");
    }
    // Locked now for this address, even with the right password.
    let locked = login_reply(app, json!({"email": "bob@example.com", "password": PASSWORD})).await;
    let retry: u64 = locked.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry), "locked for a minute at first: {retry}");
    locked.expect_problem(429, "locked");
    let denied = app.audit("action=sign_in&outcome=denied").await;
    assert!(denied.iter().any(|e| e["details"]["reason"] == "locked"), "{denied:?}");
    // Other accounts from the same address are not locked by it.
    app.member("carla@example.com", "sales_rep").await;
}

async fn tokens_are_scoped_listed_and_revocable(app: TestApp) {
    let app = &app;
    let rep = app.member("dan@example.com", "sales_rep").await;
    let read =
        app.post_as(&rep.token, "/api/v1/tokens", &json!({"name": "reports", "scope": "read"})).await.expect(201);
    let read_secret = read.body["secret"].as_str().unwrap().to_string();
    assert!(read_secret.starts_with("rlt_"));
    let contacts_only = app
        .post_as(&rep.token, "/api/v1/tokens", &json!({"name": "phone", "entities": ["contacts"]}))
        .await
        .expect(201)
        .body;
    let contacts_secret = contacts_only["secret"].as_str().unwrap().to_string();

    // A read-only token reads and cannot write anything.
    app.get_as(&read_secret, "/api/v1/contacts").await.expect(200);
    let before = app.snapshot().await;
    app.post_as(&read_secret, "/api/v1/contacts", &json!({"last_name": "X"})).await.expect_problem(403, "forbidden");
    app.post_as(&read_secret, "/api/v1/tokens", &json!({"name": "escalate"})).await.expect_problem(403, "forbidden");
    assert_eq!(app.snapshot().await, before);
    // A token limited to contacts cannot reach accounts, nor mint a broader token.
    app.post_as(&contacts_secret, "/api/v1/contacts", &json!({"last_name": "Y"})).await.expect(201);
    app.get_as(&contacts_secret, "/api/v1/accounts").await.expect_problem(403, "forbidden");
    let wider = app.post_as(&contacts_secret, "/api/v1/tokens", &json!({"name": "w", "entities": ["accounts"]})).await;
    assert_eq!(wider.expect_problem(422, "validation").error_codes(), ["beyond_own_token"]);

    // Bad token requests name each problem.
    let bad = app
        .post_as(
            &rep.token,
            "/api/v1/tokens",
            &json!({"name": "", "scope": "admin", "entities": ["things"], "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await
        .expect_problem(422, "validation");
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["entities", "expires_at", "name", "scope"]);

    // Listed with their last use; the secret is never shown again.
    let mine = app.get_as(&rep.token, "/api/v1/tokens").await.expect(200).body["data"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|t| t.get("secret").is_none()));
    let used = mine.iter().find(|t| t["name"] == "reports").unwrap();
    assert!(used["last_used_at"].is_string() || used["last_used_at"].is_null());
    assert_eq!(mine.iter().find(|t| t["name"] == "phone").unwrap()["entities"], json!(["contacts"]));
    // Only admins list everyone's tokens.
    app.get_as(&rep.token, "/api/v1/tokens?all=true").await.expect_problem(403, "forbidden");
    assert!(app.get("/api/v1/tokens?all=true").await.expect(200).body["data"].as_array().unwrap().len() >= 3);

    // Expired tokens and sessions are refused.
    let store = &app.app.app.store;
    let user: relata_core::UserId = rep.user.parse().unwrap();
    let past = chrono::Utc::now() - chrono::TimeDelta::minutes(1);
    let expired =
        store.create_limited_token(app.workspace.id, user, "old", "read_write", None, Some(past)).await.unwrap();
    app.get_as(&expired.secret, "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    let session = format!("rls_{}", "ab".repeat(32));
    let id = relata_identity::secret::digest(&session);
    store
        .create_session(&relata_store::identity::NewSession {
            id: &id,
            user,
            workspace: app.workspace.id,
            csrf_token: "rlc_x",
            expires_at: past,
            address: None,
            user_agent: None,
        })
        .await
        .unwrap();
    app.get_as(&session, "/api/v1/contacts").await.expect_problem(401, "unauthorized");

    // Revoked tokens stop working at once on this server.
    let id = read.body["id"].as_str().unwrap();
    app.send(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&rep.token), &[], None).await.expect(204);
    app.get_as(&read_secret, "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    let created = app.audit("action=token.create").await;
    assert_eq!(created.len(), 2);
    assert_eq!(app.audit("action=token.revoke").await.len(), 1);
}

async fn invitations_set_a_password_once(app: TestApp) {
    let app = &app;
    let invited = app.post("/api/v1/users", &json!({"email": "eva@example.com", "role": "marketer"})).await.expect(201);
    let url = invited.body["invitation"]["url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap().to_string();
    assert!(token.starts_with("rli_"));
    // The invite page shows a form for it.
    let page = app.send(Method::GET, &format!("/invite/{token}"), None, &[], None).await.expect(200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let accept = |body: Json| async move {
        let headers = [("content-type", "application/json")];
        app.send(Method::POST, "/api/v1/invitations/accept", None, &headers, Some(body.to_string().into_bytes())).await
    };
    let weak = accept(json!({"token": token, "password": "short"})).await.expect_problem(422, "validation");
    assert_eq!(weak.error_codes(), ["weak_password"]);
    let joined = accept(json!({"token": token, "password": PASSWORD, "display_name": "Eva"})).await.expect(201);
    assert_eq!(joined.body["workspace"]["slug"], "default");
    accept(json!({"token": token, "password": PASSWORD})).await.expect_problem(401, "unauthorized");
    accept(json!({"token": "rli_forged", "password": PASSWORD})).await.expect_problem(401, "unauthorized");
    let eva = app.sign_in("eva@example.com", PASSWORD).await;
    let me = app.get_as(&eva.token, "/api/v1/auth/me").await.expect(200);
    assert_eq!(me.body["role"]["name"], "marketer");
    // Bad user requests: every problem at once, nothing added.
    let bad = app.post("/api/v1/users", &json!({"email": "not an email", "role": "emperor"})).await;
    let mut fields = bad.expect_problem(422, "validation").error_fields();
    fields.sort();
    assert_eq!(fields, ["email"]);
    let bad = app.post("/api/v1/users", &json!({"email": "x@example.com", "role": "emperor"})).await;
    assert_eq!(bad.expect_problem(422, "validation").error_codes(), ["unknown_role"]);
    app.post("/api/v1/users", &json!({"email": "eva@example.com", "role": "admin"}))
        .await
        .expect_problem(409, "conflict");
    let users = app.get("/api/v1/users").await.expect(200).body;
    assert!(!users.to_string().contains("x@example.com"));
}

async fn a_second_factor_is_required_once_enabled(app: TestApp) {
    let app = &app;
    let fay = app.member("fay@example.com", "manager").await;
    let setup = app.post_as(&fay.token, "/api/v1/auth/totp/setup", &json!({})).await.expect(200);
    let secret = setup.body["secret"].as_str().unwrap().to_string();
    assert!(setup.body["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Relata:fay@example.com?secret="));
    // Not required until a code proves the device has the secret.
    app.sign_in("fay@example.com", PASSWORD).await;
    app.post_as(&fay.token, "/api/v1/auth/totp/enable", &json!({"code": "000000"}))
        .await
        .expect_problem(422, "validation");
    let now = chrono::Utc::now().timestamp();
    let code = relata_identity::totp::code(&secret, now).unwrap();
    app.post_as(&fay.token, "/api/v1/auth/totp/enable", &json!({"code": code})).await.expect(204);

    let missing = login_reply(app, json!({"email": "fay@example.com", "password": PASSWORD})).await;
    assert_eq!(missing.expect_problem(401, "unauthorized").error_codes(), ["totp_required"]);
    let wrong_code = if code == "123456" { "654321" } else { "123456" };
    let wrong = login_reply(app, json!({"email": "fay@example.com", "password": PASSWORD, "code": wrong_code})).await;
    assert_eq!(wrong.expect_problem(401, "unauthorized").error_codes(), ["invalid_code"]);
    let code = relata_identity::totp::code(&secret, chrono::Utc::now().timestamp()).unwrap();
    login_reply(app, json!({"email": "fay@example.com", "password": PASSWORD, "code": code})).await.expect(200);
    // Turning it off needs the password.
    app.post_as(&fay.token, "/api/v1/auth/totp/disable", &json!({"password": "wrong password"}))
        .await
        .expect_problem(422, "validation");
    app.post_as(&fay.token, "/api/v1/auth/totp/disable", &json!({"password": PASSWORD})).await.expect(204);
    app.sign_in("fay@example.com", PASSWORD).await;
    assert_eq!(app.audit("action=totp.enable").await.len(), 1);
}

async fn passwords_are_reset_and_changed(app: TestApp) {
    let app = &app;
    let gus = app.member("gus@example.com", "sales_rep").await;
    // Change: the current password is required; the new one must be strong.
    let bad = app
        .post_as(&gus.token, "/api/v1/auth/password", &json!({"current_password": "nope", "new_password": "x"}))
        .await
        .expect_problem(422, "validation");
    assert_eq!(bad.error_codes(), ["wrong_password"]);
    let weak = app
        .post_as(
            &gus.token,
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"}),
        )
        .await
        .expect_problem(422, "validation");
    assert_eq!(weak.error_codes(), ["weak_password"]);
    app.post_as(
        &gus.token,
        "/api/v1/auth/password",
        &json!({"current_password": PASSWORD, "new_password": "a new long passphrase"}),
    )
    .await
    .expect(204);
    app.sign_in("gus@example.com", "a new long passphrase").await;

    // Reset by one-time token (the CLI prints it until email exists).
    let (_, token) = relata_app::auth::start_password_reset(&app.app.app, "gus@example.com").await.unwrap().unwrap();
    let confirm = |body: Json| async move {
        let headers = [("content-type", "application/json")];
        let path = "/api/v1/auth/password-reset/confirm";
        app.send(Method::POST, path, None, &headers, Some(body.to_string().into_bytes())).await
    };
    confirm(json!({"token": token, "password": "short"})).await.expect_problem(422, "validation");
    confirm(json!({"token": token, "password": "reset to something long"})).await.expect(200);
    confirm(json!({"token": token, "password": "and again something long"})).await.expect_problem(401, "unauthorized");
    // The reset signed the user out everywhere.
    app.get_as(&gus.token, "/api/v1/auth/me").await.expect_problem(401, "unauthorized");
    app.sign_in("gus@example.com", "reset to something long").await;
    login_reply(app, json!({"email": "gus@example.com", "password": "a new long passphrase"}))
        .await
        .expect_problem(401, "unauthorized");
}

async fn deactivated_members_lose_access_and_their_records_are_reassigned(app: TestApp) {
    let app = &app;
    let hal = app.member("hal@example.com", "sales_rep").await;
    let ida = app.member("ida@example.com", "sales_rep").await;
    let token = app.post_as(&hal.token, "/api/v1/tokens", &json!({"name": "laptop"})).await.expect(201).body;
    let token = token["secret"].as_str().unwrap().to_string();
    let account = app.post_as(&hal.token, "/api/v1/accounts", &json!({"name": "Hal's client"})).await.expect(201).body;
    let call = app
        .post_as(
            &hal.token,
            "/api/v1/activities",
            &json!({"kind": "call", "subject": "Intro", "account": account["id"]}),
        )
        .await
        .expect(201)
        .body;

    // Non-admins cannot deactivate anyone.
    app.post_as(&ida.token, &format!("/api/v1/users/{}/deactivate", hal.user), &json!({}))
        .await
        .expect_problem(403, "forbidden");
    let off = app.post(&format!("/api/v1/users/{}/deactivate", hal.user), &json!({})).await.expect(200);
    assert_eq!(off.body["active"], false);
    app.get_as(&hal.token, "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    app.get_as(&token, "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    login_reply(app, json!({"email": "hal@example.com", "password": PASSWORD})).await.expect_problem(403, "forbidden");
    // Their records stay theirs until reassigned; then they move with a change entry each.
    let kept = app.get(&format!("/api/v1/accounts/{}", account["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(kept.body["owner"], json!(hal.user));
    let bad = app.post(&format!("/api/v1/users/{}/reassign", ida.user), &json!({"to": hal.user})).await;
    assert_eq!(bad.expect_problem(422, "validation").error_codes(), ["inactive_user"]);
    // Giving a member's records to themselves is refused (it used to loop forever).
    let same = app.post(&format!("/api/v1/users/{}/reassign", ida.user), &json!({"to": ida.user})).await;
    assert_eq!(same.expect_problem(422, "validation").error_codes(), ["same_member"]);
    let moved = app.post(&format!("/api/v1/users/{}/reassign", hal.user), &json!({"to": ida.user})).await.expect(200);
    assert_eq!(moved.body["reassigned"]["accounts"], 1);
    assert_eq!(moved.body["reassigned"]["activities"], 1);
    for (entity, record) in [("accounts", &account), ("activities", &call)] {
        let path = format!("/api/v1/{entity}/{}", record["id"].as_str().unwrap());
        assert_eq!(app.get(&path).await.expect(200).body["owner"], json!(ida.user));
        let history = app.get(&format!("{path}/history")).await.expect(200).body;
        let last = history["data"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["changes"]["owner"], json!({"before": hal.user, "after": ida.user}));
    }
    // The workspace keeps an admin: the last one cannot be demoted or deactivated.
    let admin = app.get("/api/v1/auth/me").await.expect(200).body["user"]["id"].as_str().unwrap().to_string();
    app.patch_as(&app.token, &format!("/api/v1/users/{admin}"), 1, &json!({"role": "manager"}))
        .await
        .expect_problem(409, "conflict");
    app.post(&format!("/api/v1/users/{admin}/deactivate"), &json!({})).await.expect_problem(409, "conflict");
    assert_eq!(app.audit("action=user.deactivate").await.len(), 1);
    assert_eq!(app.audit("action=records.reassign").await.len(), 1);
}

async fn workspaces_and_users_from_the_command_line(app: TestApp) {
    let app = &app;
    let created =
        relata(app, &["workspace", "create", "Acme Polska", "--currency", "PLN", "--phone-region", "PL"], None).await;
    assert!(created.status.success(), "{}", stderr(&created));
    assert_eq!(stdout(&created).trim(), "acme-polska");
    let again = relata(app, &["workspace", "create", "Acme Polska"], None).await;
    assert!(!again.status.success());
    assert!(stderr(&again).contains("slug"), "{}", stderr(&again));
    let bad = relata(app, &["workspace", "create", "X", "--currency", "XYZ"], None).await;
    assert!(stderr(&bad).contains("currencies"), "{}", stderr(&bad));
    let list = relata(app, &["workspace", "list"], None).await;
    assert!(stdout(&list).contains("acme-polska\tAcme Polska\tPLN"), "{}", stdout(&list));

    let add = relata(
        app,
        &[
            "user",
            "add",
            "--email",
            "jan@acme.example.com",
            "--role",
            "admin",
            "--workspace",
            "acme-polska",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    )
    .await;
    assert!(add.status.success(), "{}", stderr(&add));
    let invite = relata(
        app,
        &["user", "add", "--email", "kim@acme.example.com", "--role", "sales_rep", "--workspace", "acme-polska"],
        None,
    )
    .await;
    assert!(invite.status.success(), "{}", stderr(&invite));
    assert!(stdout(&invite).trim().starts_with("http://127.0.0.1:8080/invite/rli_"), "{}", stdout(&invite));
    let weak =
        relata(app, &["user", "add", "--email", "lo@acme.example.com", "--role", "admin", "--password", "123"], None)
            .await;
    assert!(!weak.status.success() && stderr(&weak).contains("password"), "{}", stderr(&weak));
    let unknown_role = relata(app, &["user", "add", "--email", "lo@acme.example.com", "--role", "king"], None).await;
    assert!(stderr(&unknown_role).contains("no role"), "{}", stderr(&unknown_role));

    // Jan signs in to the new workspace, which has its own pipeline and no data of ours.
    let jan = app.sign_in("jan@acme.example.com", PASSWORD).await;
    let me = app.get_as(&jan.token, "/api/v1/auth/me").await.expect(200);
    assert_eq!(me.body["workspace"]["slug"], "acme-polska");
    assert_eq!(app.get_as(&jan.token, "/api/v1/pipelines").await.expect(200).body["data"].as_array().unwrap().len(), 1);
    let members = relata(app, &["user", "list", "--workspace", "acme-polska"], None).await;
    assert!(stdout(&members).contains("jan@acme.example.com"), "{}", stdout(&members));
    assert!(!stdout(&members).contains("kim@"), "invited, not yet a member");
    let token = relata(
        app,
        &["token", "create", "--name", "etl", "--workspace", "acme-polska", "--email", "jan@acme.example.com"],
        None,
    )
    .await;
    assert!(token.status.success(), "{}", stderr(&token));
    let secret = stdout(&token).trim().to_string();
    assert_eq!(app.get_as(&secret, "/api/v1/auth/me").await.expect(200).body["workspace"]["slug"], "acme-polska");

    let reset = relata(
        app,
        &["user", "reset-password", "--email", "jan@acme.example.com", "--password-stdin"],
        Some("a brand new passphrase"),
    )
    .await;
    assert!(reset.status.success(), "{}", stderr(&reset));
    app.sign_in("jan@acme.example.com", "a brand new passphrase").await;
    let off =
        relata(app, &["user", "deactivate", "--email", "jan@acme.example.com", "--workspace", "acme-polska"], None)
            .await;
    assert!(!off.status.success(), "the last admin stays");
    assert!(stderr(&off).contains("at least one active admin"), "{}", stderr(&off));
}

async fn browser_pages_sign_in_with_a_form(app: TestApp) {
    let app = &app;
    app.member("lea@example.com", "sales_rep").await;
    let form = app.send(Method::GET, "/login?next=/api/v1/auth/me", None, &[], None).await.expect(200);
    let login_cookie = form.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let csrf = login_cookie.split_once('=').unwrap().1.to_string();
    let post = |fields: &[(&str, &str)], cookie: &str| {
        let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
        let cookie = cookie.to_string();
        async move {
            let headers = [("content-type", "application/x-www-form-urlencoded"), ("cookie", cookie.as_str())];
            let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let mut request = client.post(format!("{}/login", app.base)).body(body);
            for (k, v) in headers {
                request = request.header(k, v);
            }
            request.send().await.unwrap()
        }
    };
    // Without the login CSRF token the form is refused, keeping the email.
    let refused = post(&[("email", "lea@example.com"), ("password", PASSWORD)], "").await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("value=\"lea@example.com\""));
    // A wrong password shows the form again, the email kept and escaped.
    let wrong =
        post(&[("email", "<lea>@example.com"), ("password", "nope"), ("csrf_token", &csrf)], &login_cookie).await;
    assert_eq!(wrong.status(), 401);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("&lt;lea&gt;@example.com") && !html.contains("<lea>"), "escaped");
    // The right one sets the session cookie and goes on to `next` (on this site only).
    let ok = post(
        &[("email", "lea@example.com"), ("password", PASSWORD), ("csrf_token", &csrf), ("next", "/api/v1/auth/me")],
        &login_cookie,
    )
    .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/api/v1/auth/me");
    let session = ok.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let home = app.send(Method::GET, "/", None, &[("cookie", &session)], None).await;
    assert_eq!(home.status, 200);
    let offsite = post(
        &[("email", "lea@example.com"), ("password", PASSWORD), ("csrf_token", &csrf), ("next", "//evil.example.com")],
        &login_cookie,
    )
    .await;
    assert_eq!(offsite.headers()["location"], "/");
    // Signing out by form needs the session's CSRF token.
    let me = app.send(Method::GET, "/api/v1/auth/me", None, &[("cookie", &session)], None).await.expect(200);
    let session_csrf = me.body["csrf_token"].as_str().unwrap().to_string();
    let logout = |token: &str| {
        let body = format!("csrf_token={token}").into_bytes();
        let session = session.clone();
        async move {
            let headers = [("content-type", "application/x-www-form-urlencoded"), ("cookie", session.as_str())];
            app.send(Method::POST, "/logout", None, &headers, Some(body)).await
        }
    };
    logout("wrong").await.expect_problem(403, "csrf");
    assert_eq!(logout(&session_csrf).await.status, 303);
    app.send(Method::GET, "/api/v1/auth/me", None, &[("cookie", &session)], None)
        .await
        .expect_problem(401, "unauthorized");
}

/// Requests with bad credentials cost an attacker nothing: their refusals
/// are written a few per address and minute, the rest counted. The audit
/// log keeps entries for its retention and no longer; newer entries stay
/// undeletable.
async fn anonymous_refusals_are_throttled_and_the_audit_log_keeps_its_retention(app: TestApp) {
    let app = &app;
    let forged = format!("rlt_{}", "0".repeat(64));
    for _ in 0..12 {
        app.get_as(&forged, "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    }
    let anonymous = |entries: Vec<Json>| -> Vec<Json> {
        entries.into_iter().filter(|e| e["actor"].is_null() && e["address"] == "127.0.0.1").collect()
    };
    let refused = anonymous(
        app.get("/api/v1/admin/audit?action=request.refused").await.expect(200).body["data"]
            .as_array()
            .unwrap()
            .clone(),
    );
    assert_eq!(refused.len(), 5, "five written, the others counted: {refused:?}");
    let clock = app.app.app.store.clock().clone();
    clock.advance(chrono::TimeDelta::seconds(61));
    app.get_as(&forged, "/api/v1/contacts").await.expect_problem(401, "unauthorized");
    let refused = anonymous(
        app.get("/api/v1/admin/audit?action=request.refused").await.expect(200).body["data"]
            .as_array()
            .unwrap()
            .clone(),
    );
    assert_eq!(refused.len(), 6);
    assert_eq!(refused[0]["details"]["suppressed_before"], 7, "{}", refused[0]);

    // Retention: 40 days later, a 30-day retention deletes the old entries
    // and keeps the new ones; the purge is itself audited.
    app.post("/api/v1/tokens", &json!({"name": "old"})).await.expect(201);
    let before = app.audit("").await.len();
    assert!(before > 0);
    clock.advance(chrono::TimeDelta::days(40));
    app.post("/api/v1/tokens", &json!({"name": "recent"})).await.expect(201);
    let deleted = relata_app::audit::apply_retention(&app.app.app, 30).await.unwrap();
    assert!(deleted as usize >= before, "{deleted} deleted, {before} were old");
    let left = app.audit("").await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["action"], "token.create");
    let purges = app.get("/api/v1/admin/audit?action=audit.purge").await.expect(200).body;
    assert_eq!(purges["data"][0]["details"]["deleted"], deleted);
    // A longer retention later does not bring the cutoff back, and what is
    // newer than the cutoff stays undeletable.
    assert_eq!(relata_app::audit::apply_retention(&app.app.app, 365).await.unwrap(), 0);
    let refused = crate::helpers::run_sql(app, "test_sneak", "DELETE FROM audit_log;").await;
    assert!(refused.is_err(), "recent entries cannot be deleted");
    assert_eq!(app.audit("").await.len(), 1);
    // The command line applies a retention too.
    let out = relata(app, &["audit", "purge", "--older-than-days", "30"], None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: Json = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(printed["deleted"], 0);
}
