//! files.*: the three steps of a files v2 upload, and finding a file's share message.

use super::{Empty, SlackApi, SlackCallError, SlackResult, reqwest_error};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct UploadUrlReply {
    upload_url: String,
    file_id: String,
}

impl SlackApi {
    /// Step one of a files v2 upload (files.upload v1 is retired): an upload URL and
    /// the id the file will have.
    pub async fn upload_url(&self, filename: &str, length: usize) -> SlackResult<(String, String)> {
        let reply: UploadUrlReply = self
            .get(
                "files.getUploadURLExternal",
                &[
                    ("filename", Some(filename.to_string())),
                    ("length", Some(length.to_string())),
                ],
            )
            .await?;
        Ok((reply.upload_url, reply.file_id))
    }

    /// Step two: the bytes, to the upload URL.
    pub async fn send_upload(&self, upload_url: &str, content: &str) -> SlackResult<()> {
        let sent = self
            .http
            .post(upload_url)
            .header("content-type", "text/markdown; charset=utf-8")
            .body(content.to_string())
            .send()
            .await
            .map_err(reqwest_error)?;
        if !sent.status().is_success() {
            return Err(SlackCallError::Http(sent.status().as_u16()));
        }
        Ok(())
    }

    /// Step three: share the uploaded file into `channel`.
    pub async fn complete_upload(
        &self,
        channel: &str,
        file_id: &str,
        title: &str,
        initial_comment: &str,
    ) -> SlackResult<()> {
        let _: Empty = self
            .post(
                "files.completeUploadExternal",
                &json!({
                    "files": [{"id": file_id, "title": title}],
                    "channel_id": channel,
                    "initial_comment": initial_comment,
                }),
            )
            .await?;
        Ok(())
    }

    /// Whether the file `file_id` was shared into `channel` since `oldest` (the share
    /// is a message carrying the file).
    pub async fn find_file_share(
        &self,
        channel: &str,
        file_id: &str,
        oldest: &str,
    ) -> SlackResult<bool> {
        let found = self
            .scan_history(channel, oldest, |m| {
                m.get("files")?
                    .as_array()?
                    .iter()
                    .any(|f| f.get("id").and_then(|id| id.as_str()) == Some(file_id))
                    .then_some(())
            })
            .await?;
        Ok(found.is_some())
    }
}
