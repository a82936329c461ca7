//! Signing in to a token-protected dashboard, in Chromium, as a person does: the
//! browser is sent to the login form, a wrong token is refused with a message, and
//! the right one, typed into the form, lands on the page that was asked for.

use super::harness::{Browser, Viewport};
use crate::dashboard::{TOKEN, spawn_dashboard, with_token};
use crate::db::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_without_the_token_is_sent_to_the_login_form_and_the_right_token_lets_it_in() {
    let Some(browser) = Browser::launch(
        "a_browser_without_the_token_is_sent_to_the_login_form_and_the_right_token_lets_it_in",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let dash = spawn_dashboard(Backend::Sqlite, with_token).await;

    // Not signed in: the list sends the browser to the login form, and so does trends.
    browser.open(&dash.url("/dashboard/trends")).await;
    browser
        .wait_for_path("/dashboard/login?next=%2Fdashboard%2Ftrends")
        .await;
    browser.open(&dash.url("/dashboard/")).await;
    browser
        .wait_for_path("/dashboard/login?next=%2Fdashboard%2F")
        .await;
    assert!(browser.text().await.contains("Sign in"));
    assert_eq!(browser.count("input#token[type=password]").await, 1);
    let problems = browser.problems().await;
    assert!(problems.is_empty(), "the login page: {problems:#?}");

    // A wrong token: the form again, with a message, and still no way in.
    browser
        .type_into("#token", "not-the-dashboard-token-at-all")
        .await;
    browser.click("form.login button[type=submit]").await;
    browser.wait_for_path("/dashboard/login").await;
    let text = browser.text().await;
    assert!(text.contains("That token is not right"), "{text}");
    assert_eq!(
        browser.count("form.login").await,
        1,
        "the form is shown again"
    );
    browser.open(&dash.url("/dashboard/")).await;
    browser
        .wait_for_path("/dashboard/login?next=%2Fdashboard%2F")
        .await;

    // The right token, typed: the list.
    browser.type_into("#token", TOKEN).await;
    browser.click("form.login button[type=submit]").await;
    browser.wait_for_path("/dashboard/").await;
    let title: String = browser.eval("return document.title").await;
    assert_eq!(title, "Incidents · Warroom");
    assert!(browser.text().await.contains("Sign out"));
    // Signed in, the other pages open too.
    browser.open(&dash.url("/dashboard/trends")).await;
    browser.wait_for_path("/dashboard/trends").await;

    // Signing out sends the browser back to the form, and the pages with it.
    browser.click("form.signout button[type=submit]").await;
    browser.wait_for_path("/dashboard/login").await;
    browser.open(&dash.url("/dashboard/")).await;
    browser
        .wait_for_path("/dashboard/login?next=%2Fdashboard%2F")
        .await;
    browser.close().await;
}
