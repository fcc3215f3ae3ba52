//! `peerstake account …`: web accounts. People sign up on the web; an operator can add one here.

use std::io::Write;

use clap::Subcommand;
use peerstake_app::accounts::SignUp;
use peerstake_app::{AppError, Commons, Now};

use crate::output::io;

/// Web accounts.
#[derive(Subcommand)]
pub enum AccountCommand {
    /// Create an account; the password is read from the first line of standard input.
    Add {
        username: String,
        #[arg(long, default_value = "")]
        name: String,
    },
}

/// Runs an `account` subcommand.
pub fn run(commons: &Commons, command: AccountCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        AccountCommand::Add { username, name } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).map_err(|e| AppError::File(format!("cannot read the password: {e}")))?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let account = commons.sign_up(&SignUp { username, display_name: name, password }, now)?;
            writeln!(out, "account {} created", account.username).map_err(io)
        }
    }
}
