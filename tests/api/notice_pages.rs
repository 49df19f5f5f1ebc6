//! The public notice as pages: `/s/{token}` in Chinese for phones (masked names, a share
//! card, the checking script), the A4 print view with its QR code, the QR as SVG and PNG,
//! and pages in Chinese for a link that opens nothing or a ledger changed since.

use axum::{body::Body, http::Request};
use http_body_util::BodyExt;
use sea_orm::ConnectionTrait;
use tower::ServiceExt;

use crate::{
    helpers::TestApp,
    notices::{document, get, two_statements},
};

/// The host residents reach the deployment at: links and QR codes name it.
const HOST: &str = "gate.example";

/// A response to a GET at `HOST`.
async fn at_host(app: &TestApp, path: &str) -> (u16, axum::http::HeaderMap, serde_json::Value) {
    let request = Request::get(path)
        .header("host", HOST)
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    (status.as_u16(), headers, body)
}

/// A page's status, content type and text.
async fn page(app: &TestApp, path: &str) -> (u16, String, String) {
    let (status, headers, body) = at_host(app, path).await;
    let content_type = headers["content-type"].to_str().unwrap().to_owned();
    (
        status,
        content_type,
        body.as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_statement_page_reads_in_chinese_with_masked_names_and_a_share_card() {
    let app = TestApp::new().await;
    let (_, _, second) = two_statements(&app).await;
    let doc = document(&app, &second).await;
    let (status, headers, body) = at_host(&app, &format!("/s/{second}")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let html = body.as_str().unwrap();

    let title = "和韵小区 门禁维修基金 公示（第3至4笔）";
    let description = "期末余额 105.00 元";
    for expected in [
        "<html lang=\"zh-CN\">",
        &format!("<title>{title}</title>"),
        &format!("<meta property=\"og:title\" content=\"{title}\">"),
        "<meta name=\"description\" content=\"期末余额 105.00 元，",
        "<meta property=\"og:description\" content=\"期末余额 105.00 元，",
        &format!("<meta property=\"og:url\" content=\"http://{HOST}/s/{second}\">"),
        "期初余额",
        "80.00 元",
        description,
        "第 3 笔",
        "第 4 笔",
        "收入",
        "+20.00 元",
        "3号楼1单元",
        &doc.head_hash,
        &jiedao::signing::grouped(&doc.head_hash[..16]),
        &jiedao::signing::grouped(doc.history[1].key_id.as_deref().unwrap()),
        &format!("href=\"{second}.csv\""),
        &format!("href=\"{second}.json\""),
        &format!("href=\"{second}/print\""),
        "id=\"verify-result\"",
        "data-state=\"pending\"",
        "jiedao verify-statement",
    ] {
        assert!(
            html.contains(expected),
            "the page shows {expected}:\n{html}"
        );
    }
    for secret in ["王秀英", "李建国", "张伟"] {
        assert!(!html.contains(secret), "{secret} must not be public");
    }
    // The base type is large enough for elderly readers.
    assert!(html.contains("font: 20px/1.6"), "{html}");

    // The checking script it loads, served by us with a long cache under its digest.
    let script = html
        .split("<script src=\"..")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert!(script.starts_with("/notice/verify.js?v="), "{script}");
    let (status, headers, js) = get(&app, script).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(js.as_str().unwrap().contains("crypto.subtle.verify"));
}

#[tokio::test]
async fn the_print_view_fits_a4_with_the_qr_and_the_qr_comes_as_svg_and_png() {
    let app = TestApp::new().await;
    let (_, first, _) = two_statements(&app).await;
    let doc = document(&app, &first).await;
    let (status, content_type, html) = page(&app, &format!("/s/{first}/print")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    for expected in [
        "@page { size: A4;",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"",
        "第1至2笔",
        "80.00 元",
        &doc.head_hash,
        &jiedao::signing::grouped(&doc.head_hash[..16]),
        "签名密钥",
        "发布时间",
        &format!("jiedao verify-statement http://{HOST}/s/{first}"),
    ] {
        assert!(
            html.contains(expected),
            "the print view shows {expected}:\n{html}"
        );
    }
    assert!(!html.contains("王秀英"));

    let (status, content_type, svg) = page(&app, &format!("/s/{first}/qr.svg")).await;
    assert_eq!((status, content_type.as_str()), (200, "image/svg+xml"));
    assert!(svg.starts_with("<svg") && svg.contains("<path"), "{svg}");
    // The PNG's bytes, not text.
    let request = Request::get(format!("/s/{first}/qr.png"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.into_body().collect().await.unwrap().to_bytes();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 200);
}

#[tokio::test]
async fn unknown_links_and_a_changed_ledger_answer_pages_in_chinese() {
    let app = TestApp::new().await;
    let (_, first, second) = two_statements(&app).await;
    let unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for path in [
        format!("/s/{unknown}"),
        format!("/s/{unknown}/print"),
        format!("/s/{unknown}/qr.svg"),
        format!("/s/{unknown}/qr.png"),
        "/s/short".to_owned(),
        format!("/s/{first}/other"),
    ] {
        let (status, content_type, html) = page(&app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(content_type, "text/html; charset=utf-8", "{path}");
        assert!(html.contains("未找到这份公示"), "{path}: {html}");
    }

    // Someone with the database file changes entry 2's memo after it was published.
    let conn = &app.tamperer().await;
    let drop = match conn.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "DROP TRIGGER ledger_entry_no_update ON ledger_entry",
        _ => "DROP TRIGGER ledger_entry_no_update",
    };
    conn.execute_unprepared(drop).await.unwrap();
    conn.execute_unprepared("UPDATE ledger_entry SET memo = '改过的摘要' WHERE seq = 2")
        .await
        .unwrap();
    for path in [format!("/s/{first}"), format!("/s/{first}/print")] {
        let (status, content_type, html) = page(&app, &path).await;
        assert_eq!(status, 409, "{path}");
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(
            html.contains("账目与公示不符") && html.contains("从第 2 笔起"),
            "{path}: {html}"
        );
        assert!(html.contains("data-seq=\"2\""), "{html}");
    }
    // The later statement does not hold entry 2 and still opens.
    let (status, _, _) = page(&app, &format!("/s/{second}")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_resolution_on_notice_has_a_page_print_view_and_qr_with_its_exact_tally() {
    use crate::{funds::fund_setup, helpers::data, resolution_notices::passed_resolution};
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let (li, _, m) = passed_resolution(&app, &s).await;
    let publish = "mutation($id: ID!) { publishResolutionNotice(input: {motionId: $id, days: 7}) { shareToken } }";
    let body = app
        .gql(Some(&li), publish, serde_json::json!({ "id": m }))
        .await;
    let token = data(&body)["publishResolutionNotice"]["shareToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = get(&app, &format!("/r/{token}.json")).await.2;

    let (status, content_type, html) = page(&app, &format!("/r/{token}")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    let title = "和韵小区 决议公示：动用维修基金更换道闸电机";
    let tally = &doc["tally"];
    for expected in [
        &format!("<title>{title}</title>"),
        &format!("<meta property=\"og:title\" content=\"{title}\">"),
        "<meta name=\"description\" content=\"表决已通过，公示期 ",
        &format!("<meta property=\"og:url\" content=\"http://{HOST}/r/{token}\">"),
        "道闸维修议事",
        "3号楼前长椅",
        "按户表决（每户一票）",
        "表决结果：通过",
        // Two yes, one no, as closeVoting stored them.
        &format!(
            "<th scope=\"row\">赞成</th><td class=\"num\">{}</td>",
            tally["yes"]["heads"]
        ),
        &format!(
            "<th scope=\"row\">反对</th><td class=\"num\">{}</td>",
            tally["no"]["heads"]
        ),
        "（正在公示）",
        "提出异议",
        "已收到异议 0 条",
        &format!("href=\"{token}/print\""),
    ] {
        assert!(
            html.contains(expected),
            "the page shows {expected}:\n{html}"
        );
    }
    assert_eq!(tally["yes"]["heads"], 2);
    for secret in ["李建国", "张伟", "王秀英"] {
        assert!(!html.contains(secret), "{secret} must not be public");
    }

    let (status, _, print) = page(&app, &format!("/r/{token}/print")).await;
    assert_eq!(status, 200);
    assert!(
        print.contains("@page { size: A4;") && print.contains("<svg"),
        "{print}"
    );
    assert!(print.contains(&format!("http://{HOST}/r/{token}")));
    let (status, content_type, svg) = page(&app, &format!("/r/{token}/qr.svg")).await;
    assert_eq!((status, content_type.as_str()), (200, "image/svg+xml"));
    assert!(svg.starts_with("<svg"));
    let (status, headers, _) = at_host(&app, &format!("/r/{token}/qr.png")).await;
    assert_eq!(
        (status, &headers["content-type"]),
        (200, &"image/png".parse().unwrap())
    );

    for path in [
        "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/print".to_owned(),
        format!("/r/{token}/other"),
    ] {
        let (status, _, html) = page(&app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("未找到这份公示"), "{path}: {html}");
    }
}

#[tokio::test]
async fn an_expense_on_the_page_names_the_resolution_it_cites() {
    use serde_json::json;

    use crate::{
        funds::{CONTRIBUTE, contribution, fund_setup},
        helpers::data,
        {notices::publish, resolution_notices::passed_resolution},
    };
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    for (i, who) in ["王秀英", "李建国"].iter().enumerate() {
        let input = contribution(&s, who, "200.00", &format!("cited-in-{i:04}"));
        data(&app.gql(Some(&s.treasurer), CONTRIBUTE, input).await);
    }
    let (li, zhang, m) = passed_resolution(&app, &s).await;

    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let input = json!({ "in": { "fundId": s.fund, "payeeName": "平安门禁维修部", "amount": "320.00", "purpose": "更换道闸电机", "resolutionId": m } });
    let body = app.gql(Some(&s.treasurer), draft, input).await;
    let expense = data(&body)["draftExpense"]["expense"]["id"].clone();
    let act = |name: &str| {
        format!(
            "mutation($id: ID!) {{ {name}(input: {{expenseId: $id, comment: \"\"}}) {{ expense {{ status }} }} }}"
        )
    };
    data(
        &app.gql(
            Some(&s.treasurer),
            &act("submitExpense"),
            json!({ "id": expense }),
        )
        .await,
    );
    data(
        &app.gql(Some(&li), &act("approveExpense"), json!({ "id": expense }))
            .await,
    );
    data(
        &app.gql(
            Some(&zhang),
            &act("approveExpense"),
            json!({ "id": expense }),
        )
        .await,
    );
    let pay = "mutation($id: ID!) { payExpense(input: {expenseId: $id, idempotencyKey: \"cited-pay-0001\"}) { expense { status } } }";
    let body = app
        .gql(Some(&s.treasurer), pay, json!({ "id": expense }))
        .await;
    assert_eq!(data(&body)["payExpense"]["expense"]["status"], "PAID");

    let token = publish(&app, &s).await;
    let doc = document(&app, &token).await;
    let paid = doc.entries.iter().find(|e| e.kind == "expense").unwrap();
    assert_eq!(paid.amount_fen, -32_000);
    assert_eq!(
        paid.resolution_title.as_deref(),
        Some("动用维修基金更换道闸电机")
    );
    for path in [format!("/s/{token}"), format!("/s/{token}/print")] {
        let (status, _, body) = page(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains("依据决议：动用维修基金更换道闸电机"),
            "{path}: {body}"
        );
    }
}
