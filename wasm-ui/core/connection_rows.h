// The connections table's rows: which connections pass the text filter and
// in which order, for any column and direction. Pure, so the ImGui table
// (app/connections_table) only draws what this returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/profile_model.h"

namespace lurk::ui {

enum class ConnectionColumn : uint8_t {
  Endpoints = 0, Duration, Packets, Bytes, Retransmissions, DupAcks, Exceptions, State, Count
};

const char* connection_column_name(ConnectionColumn column);
// The column's name in a link (core/view_state.h): lower case, '-' for
// spaces ("dup-acks"); nullopt for a key no column has.
std::string connection_column_key(ConnectionColumn column);
std::optional<ConnectionColumn> connection_column_of_key(const std::string& key);

// Indices into model.connections(): those whose endpoints or state contain
// `filter` (case-insensitive; empty: all), sorted by `column`.
std::vector<uint32_t> connection_rows(const ProfileModel& model, const std::string& filter,
                                      ConnectionColumn column, bool descending);

}  // namespace lurk::ui
