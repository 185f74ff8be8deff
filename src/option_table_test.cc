// The option table's readers and writers (emkit/option_table.h): entries as
// text, strict parsing of every kind (integers of any width and sign
// included), the details a declaration adds, and the engine's own table
// (FitOptions::Describe).
#include "emkit/option_table.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/options.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

enum class Shape { kRound, kSquare };

struct Example {
  double rate = 0.25;
  int count = 3;
  std::int64_t offset = -4;
  std::uint64_t seed = 18446744073709551615u;
  std::uint8_t small = 7;
  Shape shape = Shape::kSquare;

  template <class Table>
  void Describe(Table& table) {
    table.Number("rate", &rate, "a rate");
    table.Integer("count", &count, "a count", {.flag = "n"});
    table.Integer("offset", &offset, "an offset");
    table.Integer("seed", &seed, "a seed", {.per_run = true});
    table.Integer("small_value", &small, "a byte");
    table.Choice("shape", &shape, ChoiceNames<Shape>{{"round", Shape::kRound},
                                                     {"square", Shape::kSquare}},
                 "a shape");
  }
};

static_assert(HasOptionTable<Example> && HasOptionTable<FitOptions>);

TEST(OptionTableTest, ListsEveryKindWithItsValueAsText) {
  const std::vector<OptionEntry> entries = OptionEntries(Example{});
  ASSERT_EQ(entries.size(), 6u);
  const auto expect = [&](std::size_t i, const char* name, OptionKind kind, const char* value,
                          const char* flag, bool per_run) {
    SCOPED_TRACE(name);
    EXPECT_EQ(entries[i].name, name);
    EXPECT_EQ(entries[i].kind, kind);
    EXPECT_EQ(entries[i].value, value);
    EXPECT_EQ(entries[i].flag, flag);
    EXPECT_EQ(entries[i].per_run, per_run);
  };
  expect(0, "rate", OptionKind::kNumber, "0.25", "rate", false);
  expect(1, "count", OptionKind::kInteger, "3", "n", false);
  expect(2, "offset", OptionKind::kInteger, "-4", "offset", false);
  expect(3, "seed", OptionKind::kInteger, "18446744073709551615", "seed", true);
  // A byte lists as its number, not as a character.
  expect(4, "small_value", OptionKind::kInteger, "7", "small-value", false);
  expect(5, "shape", OptionKind::kChoice, "square", "shape", false);
  EXPECT_EQ(entries[5].choices, (std::vector<std::string>{"round", "square"}));
  EXPECT_TRUE(entries[1].choices.empty());
}

TEST(OptionTableTest, SetsIntegersOfEveryWidthAndSign) {
  Example e;
  EXPECT_TRUE(SetOption(&e, "count", "-12"));
  EXPECT_EQ(e.count, -12);
  EXPECT_TRUE(SetOption(&e, "count", "2147483647"));
  EXPECT_EQ(e.count, 2147483647);
  EXPECT_TRUE(SetOption(&e, "offset", "-9223372036854775808"));
  EXPECT_EQ(e.offset, INT64_MIN);
  EXPECT_TRUE(SetOption(&e, "seed", "0"));
  EXPECT_EQ(e.seed, 0u);
  EXPECT_TRUE(SetOption(&e, "seed", "18446744073709551615"));
  EXPECT_EQ(e.seed, UINT64_MAX);
  EXPECT_TRUE(SetOption(&e, "small_value", "255"));
  EXPECT_EQ(e.small, 255);
  EXPECT_FALSE(SetOption(&e, "no_such_option", "1"));
}

TEST(OptionTableTest, RefusesIntegerTextThatIsNotExactlyOne) {
  for (const char* text : {"12x", "1.5", "1e3", "", " 7", "7 ", "+7", "0x10", "abc"}) {
    SCOPED_TRACE(text);
    Example e;
    EXPECT_THAT([&] { SetOption(&e, "count", text); },
                ThrowsMessage<InvalidOptionError>(
                    fmt::format("count = \"{}\" is not an integer", text)));
    EXPECT_EQ(e.count, 3);  // unchanged
  }
}

TEST(OptionTableTest, RefusesIntegersOutsideTheirTypesRange) {
  Example e;
  EXPECT_THAT([&] { SetOption(&e, "count", "2147483648"); },
              ThrowsMessage<InvalidOptionError>(
                  "count = \"2147483648\" is outside the range -2147483648 to 2147483647"));
  EXPECT_THAT([&] { SetOption(&e, "count", "-99999999999"); },
              ThrowsMessage<InvalidOptionError>(HasSubstr("is outside the range")));
  EXPECT_THAT([&] { SetOption(&e, "seed", "18446744073709551616"); },
              ThrowsMessage<InvalidOptionError>(
                  "seed = \"18446744073709551616\" is outside the range 0 to "
                  "18446744073709551615"));
  EXPECT_THAT([&] { SetOption(&e, "small_value", "256"); },
              ThrowsMessage<InvalidOptionError>(
                  "small_value = \"256\" is outside the range 0 to 255"));
  EXPECT_EQ(e.count, 3);
  EXPECT_EQ(e.seed, UINT64_MAX);
  EXPECT_EQ(e.small, 7);
}

TEST(OptionTableTest, RefusesNegativeTextForUnsignedIntegers) {
  Example e;
  for (const char* text : {"-1", "-0"}) {
    EXPECT_THAT([&] { SetOption(&e, "seed", text); },
                ThrowsMessage<InvalidOptionError>(
                    fmt::format("seed = \"{}\" is not an integer >= 0", text)));
  }
  EXPECT_EQ(e.seed, UINT64_MAX);
}

TEST(OptionTableTest, NumbersAndChoicesParseAsBefore) {
  Example e;
  EXPECT_TRUE(SetOption(&e, "rate", "1e-3"));
  EXPECT_EQ(e.rate, 1e-3);
  EXPECT_THAT([&] { SetOption(&e, "rate", "1e-3x"); },
              ThrowsMessage<InvalidOptionError>("rate = \"1e-3x\" is not a number"));
  EXPECT_TRUE(SetOption(&e, "shape", "round"));
  EXPECT_EQ(e.shape, Shape::kRound);
  EXPECT_THAT([&] { SetOption(&e, "shape", "oval"); },
              ThrowsMessage<InvalidOptionError>(
                  "shape = \"oval\" is not one of round, square"));
}

TEST(OptionTableTest, ListedValuesReadBackToTheSameOptions) {
  Example changed;
  changed.rate = 0.1;
  changed.count = -7;
  changed.seed = 12345678901234567890u;
  changed.small = 200;
  changed.shape = Shape::kRound;
  Example e;
  for (const OptionEntry& entry : OptionEntries(changed)) {
    ASSERT_TRUE(SetOption(&e, entry.name, entry.value)) << entry.name;
  }
  EXPECT_EQ(e.rate, changed.rate);
  EXPECT_EQ(e.count, changed.count);
  EXPECT_EQ(e.offset, changed.offset);
  EXPECT_EQ(e.seed, changed.seed);
  EXPECT_EQ(e.small, changed.small);
  EXPECT_EQ(e.shape, changed.shape);
}

// The names are checkpoint keys and Python dict keys: they must not change.
TEST(OptionTableTest, TheEngineTableNamesFitOptionsAndItsDefaults) {
  const FitOptions defaults;
  std::vector<std::string> names, flags, values;
  std::vector<bool> per_run;
  for (const OptionEntry& entry : OptionEntries(FitOptions{})) {
    names.push_back(entry.name);
    flags.push_back(entry.flag);
    values.push_back(entry.value);
    per_run.push_back(entry.per_run);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"n_init", "max_iter", "tol", "seed",
                                             "num_threads", "max_seconds", "accelerate"}));
  EXPECT_EQ(flags, (std::vector<std::string>{"n-init", "max-iter", "tol", "seed", "threads",
                                             "max-time", "accelerate"}));
  EXPECT_EQ(values, (std::vector<std::string>{
                        internal::IntegerText(defaults.n_init),
                        internal::IntegerText(defaults.max_iter),
                        internal::NumberText(defaults.tol),
                        internal::IntegerText(defaults.seed),
                        internal::IntegerText(defaults.num_threads),
                        internal::NumberText(defaults.max_seconds), "none"}));
  EXPECT_EQ(per_run, (std::vector<bool>{false, false, false, false, true, true, false}));

  FitOptions o;
  EXPECT_TRUE(SetOption(&o, "num_threads", "4"));
  EXPECT_TRUE(SetOption(&o, "seed", "18446744073709551615"));
  EXPECT_TRUE(SetOption(&o, "max_seconds", "2.5"));
  EXPECT_EQ(o.num_threads, 4);
  EXPECT_EQ(o.seed, UINT64_MAX);
  EXPECT_EQ(o.max_seconds, 2.5);
  EXPECT_THROW(SetOption(&o, "max_iter", "100.0"), InvalidOptionError);
  // Not in the table: set by programs and tests only.
  EXPECT_FALSE(SetOption(&o, "block_rows", "10"));
  EXPECT_FALSE(SetOption(&o, "certificate_tolerance", "1e-6"));
}

}  // namespace
}  // namespace emkit
