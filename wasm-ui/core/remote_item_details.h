// Details of items drawn by `lurk view --native` (docs/server.md): in
// server-backed viewing the page holds the profile's outline only, so a
// packet, span, instant or counter sample clicked or hovered in a remote frame
// is described by the native process (GET /item, the same describe_item).
// Asked once per item, asynchronously through a function the platform gives;
// the answer (or the failure, said as the title) is kept for later frames.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "core/item_details.h"
#include "core/item_ref.h"
#include "core/remote_answers.h"

namespace lurk::ui {

class RemoteItemDetails : public RemoteAnswers {
 public:
  // `send` asks GET /item?QUERY.
  explicit RemoteItemDetails(Send send) : send_(std::move(send)) {}
  // The item's details when they arrived; else asks for them (once) and
  // returns nullptr.
  const ItemDetails* get(const ItemRef& item);
  // A /item answer's JSON ({"title", "fields": [[name, value]...]}); returns
  // "" or what was wrong with it (then kept as the item's title).
  std::string read(const std::string& query, const std::string& json);
  void receive(const std::string& query, const std::string& json) override { read(query, json); }
  void fail(const std::string& query, const std::string& message) override;
  uint64_t requests_sent() const { return sent_; }

 private:
  static constexpr size_t kMaxKept = 4096;  // items; then the cache starts over
  Send send_;
  std::map<std::string, ItemDetails> received_;
  std::set<std::string> asked_;
  uint64_t sent_ = 0;
};

}  // namespace lurk::ui
