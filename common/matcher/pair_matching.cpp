// Stage 2: associate connections across two capture points, then match packets inside them.
#include <algorithm>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#include "matcher/matcher_internal.h"

namespace packetseq::match_internal {
namespace {

// Key families that survive a hop; each votes for connection pairs independently.
enum Family { kFamIpId, kFamTs, kFamSeq, kFamDigest, kFamilies };

// A bucket with more candidates than this says little (e.g. repeated identical payloads).
constexpr std::size_t kMaxVoteBucket = 4;
// A connection pair must win by this factor over the runner-up, on both sides.
constexpr double kDominance = 2.0;
constexpr double kSameTupleFactor = 3.0;
// Share of the smaller connection that must match one-to-one for the pair to stand.
constexpr double kMinMatchedShare = 0.2;
// More candidates than this for one key: ambiguous without listing them (keeps it linear).
constexpr std::size_t kMaxCandidates = 64;

bool family_key(const Observation& o, int family, std::uint64_t& key) {
  const std::uint64_t flags = o.flags & kKeyFlags;
  switch (family) {
    case kFamIpId:
      if (!o.has_ip_id || o.ip_id == 0) return false;  // 0: Linux DF SYN-ACK/RST, no identity
      key = mix(mix(mix(1, o.ip_id), flags), o.payload_len);
      return true;
    case kFamTs:
      if (!o.has_tsopt) return false;
      key = mix(mix(mix(mix(2, o.tsval), o.tsecr), flags), o.payload_len);
      return true;
    case kFamSeq:
      if (!o.has_flags || (o.seq_raw == 0 && o.ack_raw == 0)) return false;
      key = mix(mix(mix(mix(3, o.seq_raw), (flags & kAck) ? o.ack_raw : 0), flags), o.payload_len);
      return true;
    case kFamDigest:
      if (!full_digest(o)) return false;
      key = mix(mix(4, o.payload_digest), o.payload_len);
      return true;
    default:
      return false;
  }
}

// The identity of a packet inside a connection pair: sequence space (shifted), flags, length,
// plus IP ID and TCP timestamps where they survive the hop. Payload digests are compared after.
std::uint64_t seq_key(const Observation& o, std::uint32_t seq_delta, std::uint32_t ack_delta,
                      bool use_ip_id, bool use_ts) {
  const std::uint64_t flags = o.flags & kKeyFlags;
  const std::uint32_t ack = (flags & kAck) ? o.ack_raw + ack_delta : 0;
  std::uint64_t h = mix(mix(mix(mix(5, flags), o.payload_len), o.seq_raw + seq_delta), ack);
  if (use_ip_id && o.has_ip_id) h = mix(h, 0x10000u + o.ip_id);
  if (use_ts && o.has_tsopt) h = mix(mix(h, o.tsval), o.tsecr);
  return h;
}

// Every non-duplicate observation of every point under its key, per family, in global-id order:
// the observations one point has under a key are a contiguous run (global ids are point-major).
using FamilyIndex = std::unordered_map<std::uint64_t, std::vector<std::uint32_t>>;

// The observations at one point under one key (a run of a FamilyIndex bucket).
struct Bucket {
  const std::uint32_t* first = nullptr;
  const std::uint32_t* last = nullptr;
  std::size_t size() const { return static_cast<std::size_t>(last - first); }
  bool empty() const { return first == last; }
  const std::uint32_t* begin() const { return first; }
  const std::uint32_t* end() const { return last; }
};

Bucket bucket_at(const Workspace& ws, const FamilyIndex& index, std::uint64_t key,
                 std::size_t point) {
  auto it = index.find(key);
  if (it == index.end()) return {};
  const auto& list = it->second;
  const auto lo = static_cast<std::uint32_t>(ws.base[point]);
  const auto hi = static_cast<std::uint32_t>(ws.base[point + 1]);
  const std::uint32_t* first = std::lower_bound(list.data(), list.data() + list.size(), lo);
  const std::uint32_t* last = std::lower_bound(first, list.data() + list.size(), hi);
  return Bucket{first, last};
}

std::uint32_t mode_of(const std::unordered_map<std::uint32_t, int>& votes, bool& found) {
  std::uint32_t best = 0;
  int best_count = 0;
  for (const auto& [value, count] : votes)
    if (count > best_count || (count == best_count && value < best)) {
      best = value;
      best_count = count;
    }
  found = best_count > 0;
  return best;
}

struct PairOutcome {
  bool accepted = false;
  std::vector<PairMatch> matches;
  std::vector<Ambiguity> ambiguities;
  std::vector<std::uint32_t> contested;  // observations at b's point behind crowded keys
  std::size_t ambiguous_keys = 0;
};

// Matches the packets of one candidate connection pair; decides whether the pair stands.
PairOutcome match_connection_pair(Workspace& ws, const FamilyIndex* index, std::size_t pb,
                                  ConnPair& pair, std::uint32_t pair_id) {
  PairOutcome out;
  const Connection& ca = ws.conns[pair.a];
  const Connection& cb = ws.conns[pair.b];
  bool ipid_survives[2] = {true, true}, ts_survives[2] = {true, true};
  bool ack_known[2] = {false, false};
  std::size_t anchors = 0, header_evidence = 0;

  for (int d = 0; d < 2; ++d) {
    const std::uint8_t db = static_cast<std::uint8_t>(d ^ pair.flip);
    std::unordered_map<std::uint32_t, int> seq_votes, ack_votes;
    std::size_t ipid_total = 0, ipid_equal = 0, ts_total = 0, ts_equal = 0;
    for (std::uint32_t a : ca.obs[d]) {
      const Observation& oa = ws.obs(a);
      std::uint32_t found = kNone;
      unsigned families = 0;
      bool conflict = false;
      for (int f = 0; f < kFamilies; ++f) {
        std::uint64_t key;
        if (!family_key(oa, f, key)) continue;
        const Bucket bucket = bucket_at(ws, index[f], key, pb);
        if (bucket.empty() || bucket.size() > kMaxVoteBucket) continue;
        std::uint32_t only = kNone;
        int n = 0;
        for (std::uint32_t b : bucket)
          if (ws.info[b].conn == pair.b && ws.info[b].dir == db) {
            only = b;
            ++n;
          }
        if (n != 1) continue;
        if (found == kNone) found = only;
        if (found != only) conflict = true;
        families |= 1u << f;
      }
      if (found == kNone || conflict) continue;
      const Observation& ob = ws.obs(found);
      ++anchors;
      ++seq_votes[ob.seq_raw - oa.seq_raw];
      if ((oa.flags & kAck) && (ob.flags & kAck)) ++ack_votes[ob.ack_raw - oa.ack_raw];
      const bool same_ip_id = oa.has_ip_id && ob.has_ip_id && oa.ip_id == ob.ip_id && oa.ip_id;
      const bool same_ts =
          oa.has_tsopt && ob.has_tsopt && oa.tsval == ob.tsval && oa.tsecr == ob.tsecr;
      const bool same_seq = oa.seq_raw == ob.seq_raw && oa.ack_raw == ob.ack_raw;
      if (same_ip_id || same_ts || same_seq) ++header_evidence;
      // A field "survives" unless anchors found by the other families say it was rewritten.
      if ((families & ~(1u << kFamIpId)) && oa.has_ip_id && ob.has_ip_id) {
        ++ipid_total;
        ipid_equal += oa.ip_id == ob.ip_id;
      }
      if ((families & ~(1u << kFamTs)) && oa.has_tsopt && ob.has_tsopt) {
        ++ts_total;
        ts_equal += oa.tsval == ob.tsval && oa.tsecr == ob.tsecr;
      }
    }
    bool found = false;
    pair.seq_delta[d] = mode_of(seq_votes, found);
    pair.ack_delta[d] = mode_of(ack_votes, ack_known[d]);
    ipid_survives[d] = ipid_total == 0 || ipid_equal * 2 >= ipid_total;
    ts_survives[d] = ts_total == 0 || ts_equal * 2 >= ts_total;
  }
  // The ack of one direction acknowledges the other direction's sequence numbers.
  for (int d = 0; d < 2; ++d)
    if (!ack_known[d]) pair.ack_delta[d] = pair.seq_delta[1 - d];

  // Payload alone can't tell a relay's second connection from this one: demand header identity.
  if (anchors == 0 || header_evidence * 2 < anchors) return out;

  std::size_t unique = 0;
  for (int d = 0; d < 2; ++d) {
    const std::uint8_t db = static_cast<std::uint8_t>(d ^ pair.flip);
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> by_key;
    by_key.reserve(cb.obs[db].size());
    for (std::uint32_t b : cb.obs[db])
      by_key[seq_key(ws.obs(b), 0, 0, ipid_survives[d], ts_survives[d])].push_back(b);
    std::unordered_map<std::uint64_t, bool> crowded;  // keys too common to list candidates
    std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> candidates;
    std::unordered_map<std::uint32_t, std::uint32_t> claims;
    std::vector<std::uint64_t> keys;
    for (std::uint32_t a : ca.obs[d]) {
      const Observation& oa = ws.obs(a);
      const std::uint64_t key =
          seq_key(oa, pair.seq_delta[d], pair.ack_delta[d], ipid_survives[d], ts_survives[d]);
      auto it = by_key.find(key);
      if (it == by_key.end()) continue;
      if (it->second.size() > kMaxCandidates) {
        // Hundreds of identical packets (IPv6 duplicate ACKs without timestamps): nothing can
        // tell them apart, and listing every candidate for each would be quadratic.
        if (!crowded[key]) {
          crowded[key] = true;
          ++out.ambiguous_keys;
          out.contested.insert(out.contested.end(), it->second.begin(), it->second.end());
        }
        out.ambiguities.push_back(Ambiguity{a, pair_id, static_cast<std::uint8_t>(d), {}});
        continue;
      }
      std::vector<std::uint32_t> kept;
      for (std::uint32_t b : it->second) {
        const Observation& ob = ws.obs(b);
        if (digests_comparable(oa, ob) && oa.payload_digest != ob.payload_digest) continue;
        kept.push_back(b);
      }
      if (kept.empty()) continue;
      for (std::uint32_t b : kept) ++claims[b];
      candidates.emplace_back(a, std::move(kept));
      keys.push_back(key);
    }
    std::unordered_map<std::uint64_t, bool> ambiguous_key;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto& [a, kept] = candidates[i];
      if (kept.size() == 1 && claims[kept[0]] == 1) {
        const std::uint32_t b = kept[0];
        out.matches.push_back(PairMatch{a, b, pair_id});
        const Observation& oa = ws.obs(a);
        const Observation& ob = ws.obs(b);
        pair.diffs[d].push_back(sat_sub(ob.time_ns, oa.time_ns));
        if (oa.ttl && ob.ttl) pair.ttl_votes[d] += (oa.ttl > ob.ttl) - (oa.ttl < ob.ttl);
        ++unique;
        continue;
      }
      ambiguous_key[keys[i]] = true;
      out.ambiguities.push_back(Ambiguity{a, pair_id, static_cast<std::uint8_t>(d), kept});
    }
    out.ambiguous_keys += ambiguous_key.size();
  }
  const std::size_t size_a = ca.obs[0].size() + ca.obs[1].size();
  const std::size_t size_b = cb.obs[0].size() + cb.obs[1].size();
  const double needed =
      std::max(1.0, kMinMatchedShare * static_cast<double>(std::min(size_a, size_b)));
  out.accepted = static_cast<double>(unique) >= needed;
  return out;
}

void match_two_points(Workspace& ws, const FamilyIndex* index, std::size_t pa, std::size_t pb) {
  // Votes for (connection at A, connection at B, direction flip).
  std::unordered_map<std::uint64_t, double> votes;
  for (std::size_t g = ws.base[pa]; g < ws.base[pa + 1]; ++g) {
    if (ws.info[g].duplicate) continue;
    const Observation& o = ws.obs(static_cast<std::uint32_t>(g));
    for (int f = 0; f < kFamilies; ++f) {
      std::uint64_t key;
      if (!family_key(o, f, key)) continue;
      const Bucket bucket = bucket_at(ws, index[f], key, pb);
      if (bucket.empty() || bucket.size() > kMaxVoteBucket) continue;
      const double weight = 1.0 / static_cast<double>(bucket.size());
      for (std::uint32_t b : bucket) {
        const std::uint64_t flip = ws.info[g].dir ^ ws.info[b].dir;
        // Never required, but an unchanged 4-tuple settles a tie between equally good
        // candidates (a proxy's second connection carrying the same relative seq/ack).
        const bool same_tuple = ws.conns[ws.info[g].conn].tuple == ws.conns[ws.info[b].conn].tuple;
        votes[static_cast<std::uint64_t>(ws.info[g].conn) << 33 |
              static_cast<std::uint64_t>(ws.info[b].conn) << 1 | flip] +=
            same_tuple ? kSameTupleFactor * weight : weight;
      }
    }
  }

  struct Best {
    std::uint64_t key = 0;
    double score = 0, second = 0;
  };
  std::unordered_map<std::uint32_t, Best> best_a, best_b;
  auto offer = [](Best& best, std::uint64_t key, double score) {
    if (score > best.score) {
      best.second = best.score;
      best.score = score;
      best.key = key;
    } else if (score > best.second) {
      best.second = score;
    }
  };
  for (const auto& [key, score] : votes) {
    offer(best_a[static_cast<std::uint32_t>(key >> 33)], key, score);
    offer(best_b[static_cast<std::uint32_t>((key >> 1) & 0xFFFFFFFFu)], key, score);
  }
  auto conn_a_of = [](std::uint64_t key) { return static_cast<std::uint32_t>(key >> 33); };
  auto conn_b_of = [](std::uint64_t key) {
    return static_cast<std::uint32_t>((key >> 1) & 0xFFFFFFFFu);
  };
  std::vector<std::uint64_t> chosen;
  for (const auto& [conn_a, best] : best_a) {
    const std::uint32_t conn_b = conn_b_of(best.key);
    const Best& other = best_b[conn_b];
    // Not mutual, or not clear enough: not joined. Remembered for follow mode's warnings.
    if (other.key != best.key || best.score < kDominance * best.second ||
        other.score < kDominance * other.second) {
      ws.unsettled.push_back(UnsettledAssociation{conn_a, conn_b, best.score});
      continue;
    }
    chosen.push_back(best.key);
  }
  std::sort(chosen.begin(), chosen.end());  // deterministic order
  for (const auto& [conn_b, best] : best_b)
    if (!std::binary_search(chosen.begin(), chosen.end(), best.key))
      ws.unsettled.push_back(UnsettledAssociation{conn_a_of(best.key), conn_b, best.score});

  for (std::uint64_t key : chosen) {
    ConnPair pair;
    pair.a = static_cast<std::uint32_t>(key >> 33);
    pair.b = static_cast<std::uint32_t>((key >> 1) & 0xFFFFFFFFu);
    pair.flip = static_cast<std::uint8_t>(key & 1);
    const std::uint32_t pair_id = static_cast<std::uint32_t>(ws.pairs.size());
    PairOutcome outcome = match_connection_pair(ws, index, pb, pair, pair_id);
    if (!outcome.accepted) continue;
    pair.ambiguous_keys = outcome.ambiguous_keys;
    ws.pairs.push_back(std::move(pair));
    ws.matches.insert(ws.matches.end(), outcome.matches.begin(), outcome.matches.end());
    for (auto& amb : outcome.ambiguities) {
      ws.mark_ambiguous_at(amb.a, pb);
      for (std::uint32_t b : amb.candidates) ws.mark_ambiguous_at(b, pa);
      ws.ambiguities.push_back(std::move(amb));
    }
    for (std::uint32_t b : outcome.contested) ws.mark_ambiguous_at(b, pa);
    ws.results.counters.ambiguous_keys += outcome.ambiguous_keys;
  }
}

}  // namespace

void match_point_pairs(Workspace& ws) {
  // One index over all points instead of one per pair of points (which was quadratic in the
  // number of points, however little they share).
  const std::size_t n = ws.points();
  FamilyIndex index[kFamilies];
  for (std::uint32_t g = 0; g < ws.refs.size(); ++g) {
    if (ws.info[g].duplicate) continue;
    for (int f = 0; f < kFamilies; ++f) {
      std::uint64_t key;
      if (family_key(ws.obs(g), f, key)) index[f][key].push_back(g);
    }
  }

  // Only pairs of points that share a key can vote for a connection pair: a and b see a key,
  // b at most kMaxVoteBucket times. Other pairs would find nothing (match_two_points would do
  // nothing for them), so they are skipped; the candidates run in the same (a, b) order.
  std::vector<std::uint64_t> candidates;
  std::vector<bool> seen_dense;  // n * n bits while that is small, else a hash set
  std::unordered_set<std::uint64_t> seen_sparse;
  const bool dense = n <= 16384;
  if (dense) seen_dense.assign(n * n, false);
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // (point, observations there)
  for (const auto& family : index)
    for (const auto& [key, list] : family) {
      runs.clear();
      for (std::uint32_t g : list) {
        const std::size_t p = ws.point_of(g);
        if (runs.empty() || runs.back().first != p)
          runs.emplace_back(p, 1);
        else
          ++runs.back().second;
      }
      if (runs.size() < 2) continue;
      for (std::size_t i = 0; i < runs.size(); ++i)
        for (std::size_t k = i + 1; k < runs.size(); ++k) {
          if (runs[k].second > kMaxVoteBucket) continue;
          const std::uint64_t pair = static_cast<std::uint64_t>(runs[i].first) * n + runs[k].first;
          const bool fresh = dense ? !seen_dense[pair] : seen_sparse.insert(pair).second;
          if (!fresh) continue;
          if (dense) seen_dense[pair] = true;
          candidates.push_back(pair);
        }
    }
  std::sort(candidates.begin(), candidates.end());
  for (std::uint64_t pair : candidates) match_two_points(ws, index, pair / n, pair % n);
  ws.results.counters.connection_pairs = ws.pairs.size();
  // Deterministic order (the candidates came from hash maps), each pair once, best score kept.
  auto& u = ws.unsettled;
  std::sort(u.begin(), u.end(), [](const UnsettledAssociation& x, const UnsettledAssociation& y) {
    return x.a != y.a ? x.a < y.a : x.b != y.b ? x.b < y.b : x.score > y.score;
  });
  u.erase(std::unique(u.begin(), u.end(),
                      [](const UnsettledAssociation& x, const UnsettledAssociation& y) {
                        return x.a == y.a && x.b == y.b;
                      }),
          u.end());
}

// Settles ambiguous candidates whose corrected transit alone fits what unique matches showed.
void settle_ambiguities_by_time(Workspace& ws) {
  if (ws.ambiguities.empty()) return;
  // Per pair of points and physical direction (a -> b or b -> a): the corrected transit range.
  struct Range {
    std::int64_t lo = kMaxInf, hi = kMinInf;
  };
  std::unordered_map<std::uint64_t, Range> ranges;  // (point a, point b) key, from a to b
  auto range_key = [&](std::size_t from, std::size_t to) {
    return static_cast<std::uint64_t>(from) * ws.points() + to;
  };
  for (const PairMatch& m : ws.matches) {
    std::size_t pa = ws.point_of(m.a), pb = ws.point_of(m.b);
    std::int64_t transit = sat_sub(ws.corrected(m.b), ws.corrected(m.a));
    const ConnPair& pair = ws.pairs[m.pair];
    const bool a_first = pair.a_upstream0 == (ws.info[m.a].dir == 0);
    if (!a_first) {
      std::swap(pa, pb);
      transit = sat_sub(0, transit);
    }
    Range& r = ranges[range_key(pa, pb)];
    r.lo = std::min(r.lo, transit);
    r.hi = std::max(r.hi, transit);
  }

  std::unordered_map<std::uint32_t, std::uint32_t> claimed_b;  // b -> a
  std::unordered_map<std::uint32_t, bool> taken;               // already uniquely matched
  for (const PairMatch& m : ws.matches) {
    taken[m.a] = true;
    taken[m.b] = true;
  }
  std::vector<PairMatch> settled;
  for (const Ambiguity& amb : ws.ambiguities) {
    if (amb.candidates.empty() || amb.candidates.size() > kMaxCandidates) continue;
    const ConnPair& pair = ws.pairs[amb.pair];
    const std::size_t pa = ws.conns[pair.a].point, pb = ws.conns[pair.b].point;
    const bool a_first = pair.a_upstream0 == (amb.dir == 0);
    const std::size_t from = a_first ? pa : pb, to = a_first ? pb : pa;
    auto it = ranges.find(range_key(from, to));
    std::int64_t lo, hi;
    if (it != ranges.end()) {
      const std::int64_t slack =
          std::max<std::int64_t>(2000000, sat_sub(it->second.hi, it->second.lo));
      lo = sat_sub(it->second.lo, slack);
      hi = sat_add(it->second.hi, slack);
    } else {
      auto back = ranges.find(range_key(to, from));
      if (back == ranges.end()) continue;
      // Unmeasured direction: allow what the other direction shows, both ways, and a margin.
      auto magnitude = [](std::int64_t v) { return v < 0 ? sat_sub(0, v) : v; };
      const std::int64_t span =
          sat_add(std::max(magnitude(back->second.hi), magnitude(back->second.lo)), 10000000);
      lo = sat_sub(0, span);
      hi = sat_add(span, span);
    }
    std::uint32_t pick = kNone;
    int plausible = 0;
    for (std::uint32_t b : amb.candidates) {
      std::int64_t transit = sat_sub(ws.corrected(b), ws.corrected(amb.a));
      if (!a_first) transit = sat_sub(0, transit);
      if (transit >= lo && transit <= hi) {
        pick = b;
        ++plausible;
      }
    }
    if (plausible != 1 || taken.count(amb.a) || taken.count(pick)) continue;
    auto [slot, fresh] = claimed_b.emplace(pick, amb.a);
    if (!fresh) {
      slot->second = kNone;  // two observations want the same one: neither gets it
      continue;
    }
    settled.push_back(PairMatch{amb.a, pick, amb.pair});
  }
  std::unordered_map<std::uint32_t, int> a_count;
  for (const PairMatch& m : settled) ++a_count[m.a];
  for (const PairMatch& m : settled) {
    if (claimed_b[m.b] != m.a || a_count[m.a] != 1) continue;
    ws.matches.push_back(m);
    ++ws.results.counters.tie_broken;
    ++ws.pairs[m.pair].tie_broken;
    // The settled pair no longer blocks loss detection at the other point.
    ws.clear_ambiguous_at(m.a, ws.point_of(m.b));
    ws.clear_ambiguous_at(m.b, ws.point_of(m.a));
  }
}

}  // namespace packetseq::match_internal
