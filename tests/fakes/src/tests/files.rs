use serde_json::json;

use super::Client;

/// Runs the three-step v2 upload the way slack-morphism does.
async fn upload(c: &Client, name: &str, content: &str, declared: usize) -> String {
    let a = c
        .get(
            "files.getUploadURLExternal",
            &[("filename", name), ("length", &declared.to_string())],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let url = a.body["upload_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&c.slack.base_url()), "{url}");
    let res = c
        .http()
        .post(&url)
        .header("content-type", "text/markdown")
        .body(content.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.text().await.unwrap(), format!("OK - {}", content.len()));
    a.body["file_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn three_step_upload_shares_the_file_in_the_channel() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let file_id = upload(&c, "postmortem.md", "# Postmortem", 12).await;
    let a = c
        .json(
            "files.completeUploadExternal",
            json!({
                "files": [{ "id": file_id, "title": "Postmortem draft" }],
                "channel_id": id,
                "initial_comment": "Draft attached",
            }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(a.body["files"][0]["id"], file_id.as_str());
    assert_eq!(a.body["files"][0]["title"], "Postmortem draft");
    let files = c.slack.uploaded_files();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].content, "# Postmortem");
    assert_eq!(files[0].title.as_deref(), Some("Postmortem draft"));
    assert_eq!(files[0].channel.as_deref(), Some(id.as_str()));
    assert_eq!(files[0].initial_comment.as_deref(), Some("Draft attached"));
    assert!(!files[0].length_mismatch);
    let share = &c.slack.messages_in(&id)[0];
    assert_eq!(share.text, "Draft attached");
    assert_eq!(share.raw["files"][0]["id"], file_id.as_str());
}

#[tokio::test]
async fn files_argument_is_accepted_as_a_json_string_in_a_form() {
    let c = Client::start().await;
    let file_id = upload(&c, "a.txt", "abc", 3).await;
    let files = json!([{ "id": file_id }]).to_string();
    let a = c
        .form("files.completeUploadExternal", &[("files", &files)])
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(c.slack.uploaded_files()[0].channel, None);
}

#[tokio::test]
async fn completing_unknown_or_not_uploaded_files_answers_file_not_found() {
    let c = Client::start().await;
    let a = c
        .json(
            "files.completeUploadExternal",
            json!({ "files": [{ "id": "F404" }] }),
        )
        .await;
    assert_eq!(a.error(), Some("file_not_found"));
    let announced = c
        .get(
            "files.getUploadURLExternal",
            &[("filename", "a.txt"), ("length", "3")],
        )
        .await;
    let file_id = announced.body["file_id"].as_str().unwrap();
    let a = c
        .json(
            "files.completeUploadExternal",
            json!({ "files": [{ "id": file_id }] }),
        )
        .await;
    assert_eq!(a.error(), Some("file_not_found"));
    let a = c.json("files.completeUploadExternal", json!({})).await;
    assert_eq!(a.error(), Some("invalid_arguments"));
}

#[tokio::test]
async fn length_mismatch_is_accepted_but_recorded() {
    let c = Client::start().await;
    let file_id = upload(&c, "a.txt", "abcdef", 3).await;
    c.json(
        "files.completeUploadExternal",
        json!({ "files": [{ "id": file_id }] }),
    )
    .await;
    let f = &c.slack.uploaded_files()[0];
    assert!(f.length_mismatch);
    assert_eq!(f.declared_length, 3);
    assert_eq!(f.bytes.len(), 6);
}

#[tokio::test]
async fn get_upload_url_requires_filename_and_length() {
    let c = Client::start().await;
    let a = c
        .get("files.getUploadURLExternal", &[("filename", "a.txt")])
        .await;
    assert_eq!(a.error(), Some("invalid_arguments"));
    let a = c
        .get("files.getUploadURLExternal", &[("length", "3")])
        .await;
    assert_eq!(a.error(), Some("invalid_arguments"));
}

#[tokio::test]
async fn legacy_files_upload_answers_method_deprecated() {
    let c = Client::start().await;
    let a = c
        .form("files.upload", &[("channels", "C1"), ("content", "x")])
        .await;
    assert_eq!(a.error(), Some("method_deprecated"));
}
