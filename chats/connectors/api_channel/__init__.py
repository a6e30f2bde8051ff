"""The API channel (contract section 4): an external system (a CRM, a shop, a messenger
gateway) brings its contacts, conversations and messages in with an inbox token, and hears
the operators' replies through the inbox's signed webhook."""
