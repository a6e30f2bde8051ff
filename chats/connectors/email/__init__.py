"""The email inbox (contract section 4, "Email"): a mailbox polled over IMAP, replies sent
over SMTP, threaded by `Message-ID`, `In-Reply-To` and `References`."""
