syntax = "proto3";

package botplatform.__name__.v1;

import "botplatform/bot/v1/bot_features.proto";
import "botplatform/bus/v1/event_options.proto";
import "botplatform/bus/v1/rpc_options.proto";
import "google/protobuf/timestamp.proto";

// The __name__ service's public contract: its events (with the event option, so the subject lives in
// the contract) and its request/reply messages. A published field is never changed, only added.

// NoteCreated: a bot's note was created.
message NoteCreated {
  option (botplatform.bus.v1.event) = {
    type: "__name__.note.created"
    version: 1
  };

  string note_id = 1;
  // Tenant: the bot the note belongs to (UUID).
  string bot_id = 2;
  string text = 3;
  google.protobuf.Timestamp created_at = 4;
}

// __Name__Rpc is every request/reply the __name__ service answers (`rpc.__name__.<verb>`): code names
// them as `RPC.__name__.<method>` from @botplatform/contracts, never by the subject string.
service __Name__Rpc {
  rpc CreateNote(CreateNoteRequest) returns (CreateNoteReply) {
    option (botplatform.bus.v1.rpc) = {subject: "rpc.__name__.create-note"};
  }
  // The service's bot screens (src/bot/), routed here by the gateway.
  rpc HandleBotUpdate(botplatform.bot.v1.BotUpdate) returns (botplatform.bot.v1.BotActions) {
    option (botplatform.bus.v1.rpc) = {subject: "rpc.__name__.handle-bot-update"};
  }
}

message CreateNoteRequest {
  // Chosen by the caller (a UUID), so a retried request cannot create a second note.
  string note_id = 1;
  string bot_id = 2;
  string text = 3;
}

message CreateNoteReply {
  string note_id = 1;
  google.protobuf.Timestamp created_at = 2;
}
