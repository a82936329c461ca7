//! The harness itself: ngircd starts, and two people on it hear each other. If this
//! fails, every other IRC test's failure is about the harness, not Warroom.

use super::{IrcServer, Person};

#[tokio::test]
async fn two_people_on_the_test_server_hear_each_other() {
    let server = IrcServer::start().await;
    let mut alice = Person::connect(&server, "alice").await;
    let mut bob = Person::connect(&server, "bob").await;
    alice.join("#harness").await;
    bob.join("#harness").await;

    alice.say("#harness", "hello bob");

    let heard = bob.wait_for_privmsg("#harness", |_| true).await;
    assert_eq!(heard, "hello bob");
}
