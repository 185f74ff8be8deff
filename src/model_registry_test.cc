// The model registry and the families' codecs, independent of JSON: every
// saved model kind is written to and read back from an in-memory parameter
// store and must come back bit-identical; the registry's name lists are
// the ones the command and the model files expect.
#include "emkit/model_registry.h"

#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/io/model_file.h"

namespace emkit {
namespace {

using ::testing::ElementsAre;

// Settings and arrays in maps: the simplest store the codec can target.
class MapParameters final : public ParameterWriter, public ParameterReader {
 public:
  struct Entry {
    std::string text;
    double number = 0.0;
    bool is_text = false;
    std::vector<Eigen::Index> shape;  // empty for a scalar
    std::vector<double> values;
  };

  void Text(std::string_view key, std::string_view value) override {
    Entry& e = entries_[std::string(key)];
    e.text = std::string(value);
    e.is_text = true;
  }
  void Integer(std::string_view key, std::int64_t value) override {
    entries_[std::string(key)].number = static_cast<double>(value);
  }
  void Number(std::string_view key, double value) override {
    entries_[std::string(key)].number = value;
  }
  void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
             const double* values) override {
    Entry& e = entries_[std::string(key)];
    e.shape = shape;
    Eigen::Index n = 1;
    for (Eigen::Index s : shape) n *= s;
    e.values.assign(values, values + n);
  }

  bool Has(std::string_view key) const override { return entries_.count(std::string(key)) > 0; }
  [[noreturn]] void Fail(const std::string& what) const override {
    throw FileFormatError("map: " + what);
  }
  std::string Choice(std::string_view key, const std::vector<std::string_view>& allowed,
                     std::string_view fallback) const override {
    if (!Has(key)) {
      if (fallback.empty()) Fail("missing " + std::string(key));
      return std::string(fallback);
    }
    const std::string& text = Get(key).text;
    for (std::string_view a : allowed) {
      if (a == text) return text;
    }
    Fail("unknown " + std::string(key) + " " + text);
  }
  double Number(std::string_view key, double fallback) const override {
    return Has(key) ? Get(key).number : fallback;
  }
  std::int64_t NonNegativeInteger(std::string_view key, std::int64_t fallback) const override {
    return Has(key) ? static_cast<std::int64_t>(Get(key).number) : fallback;
  }
  Eigen::Index Extent(std::string_view size_key, std::string_view array_key,
                      int axis) const override {
    if (Has(size_key)) return static_cast<Eigen::Index>(Get(size_key).number);
    return Get(array_key).shape.at(static_cast<std::size_t>(axis));
  }
  std::vector<double> Array(std::string_view key,
                            const std::vector<Eigen::Index>& shape) const override {
    const Entry& e = Get(key);
    if (e.shape != shape) Fail("wrong shape of " + std::string(key));
    return e.values;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  const Entry& Get(std::string_view key) const {
    const auto it = entries_.find(std::string(key));
    if (it == entries_.end()) Fail("missing " + std::string(key));
    return it->second;
  }

  std::map<std::string, Entry> entries_;
};

class SavedKind : public ::testing::TestWithParam<const char*> {};

TEST_P(SavedKind, RoundTripsThroughAnyParameterStoreBitForBit) {
  const std::string path =
      std::string(EMKIT_SOURCE_DIR) + "/fuzz/corpus/model_file/" + GetParam();
  const AnyModel model = io::LoadAnyModel(path);
  MapParameters store;
  EncodeModel(model, store);
  EXPECT_GT(store.size(), 3u);
  const AnyModel again = DecodeModel(store);
  EXPECT_EQ(again.index(), model.index());
  EXPECT_EQ(ModelKindName(again), ModelKindName(model));
  // The JSON text holds every parameter at full precision.
  EXPECT_EQ(io::AnyModelToJson(again), io::AnyModelToJson(model));
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, SavedKind,
    ::testing::Values("full_saved.json", "diag_saved.json", "spherical_saved.json",
                      "tied_saved.json", "bernoulli_saved.json", "categorical_saved.json",
                      "categorical_symbols_saved.json", "poisson_saved.json",
                      "hmm_gaussian_diag_saved.json", "hmm_gmm_full_saved.json",
                      "hmm_gmm_tied_saved.json", "hmm_categorical_saved.json",
                      "hmm_poisson_saved.json", "hmm_bernoulli_saved.json"));

// The fitting priors of the categorical and Poisson families travel with
// their parameters when they are set (the Python HMM classes hand them to a
// fit this way), and are absent from what a model without them writes.
TEST(ModelRegistry, FamilyPriorsRoundTripWhenSet) {
  RowMatrix p(2, 3);
  p << 0.2, 0.3, 0.5, 0.6, 0.3, 0.1;
  CategoricalOptions co;
  co.layout = CategoricalLayout::kSymbols;
  co.dirichlet_prior = RowMatrix::Constant(2, 3, 2.5);
  const MarkovChain chain(Vector::Constant(2, 0.5), RowMatrix::Constant(2, 2, 0.5));
  MapParameters store;
  EncodeModel(AnyModel(HiddenMarkovModel<Categorical>(chain, Categorical(p, co))), store);
  ASSERT_TRUE(store.Has("dirichlet_prior"));
  const AnyModel back = DecodeModel(store);
  const auto& categorical = std::get<CategoricalHmm>(back).emissions();
  EXPECT_EQ(categorical.options().dirichlet_prior, co.dirichlet_prior);

  PoissonOptions po;
  po.prior_sums = RowMatrix::Constant(2, 3, 4.0);
  po.prior_weights = RowMatrix::Constant(2, 3, 0.5);
  MapParameters poisson_store;
  EncodeModel(AnyModel(PoissonMixture(Vector::Constant(2, 0.5), Poisson(p * 3.0, po))),
              poisson_store);
  const AnyModel poisson = DecodeModel(poisson_store);
  EXPECT_EQ(std::get<PoissonMixture>(poisson).components().options().prior_sums, po.prior_sums);
  EXPECT_EQ(std::get<PoissonMixture>(poisson).components().options().prior_weights,
            po.prior_weights);

  MapParameters plain;
  EncodeModel(AnyModel(PoissonMixture(Vector::Constant(2, 0.5), Poisson(p, PoissonOptions{}))),
              plain);
  EXPECT_FALSE(plain.Has("prior_sums"));
  EXPECT_FALSE(plain.Has("prior_weights"));
}

TEST(ModelRegistry, ListsTheShippedNamesInOrder) {
  EXPECT_THAT(MixtureFamilyNames(),
              ElementsAre("gaussian", "bernoulli", "categorical", "poisson", "vmf"));
  EXPECT_THAT(EmissionFamilyNames(), ElementsAre("gaussian", "gaussian_mixture", "categorical",
                                                 "poisson", "bernoulli", "vmf"));
  EXPECT_THAT(CovarianceTypeNames("gaussian"), ElementsAre("full", "diag", "spherical", "tied"));
  EXPECT_THAT(CovarianceTypeNames("gaussian_mixture"),
              ElementsAre("full", "diag", "spherical", "tied"));
  EXPECT_TRUE(CovarianceTypeNames("poisson").empty());
}

TEST(ModelRegistry, FindsTheMixtureFamilyNamed) {
  std::vector<std::string_view> found;
  for (const char* name : {"bernoulli", "categorical", "poisson", "vmf"}) {
    WithMixtureFamilyNamed(name, [&]<class F>(std::type_identity<F>) {
      found.push_back(F::kFamilyName);
    });
  }
  EXPECT_THAT(found, ElementsAre("bernoulli", "categorical", "poisson", "vmf"));
  bool is_poisson = false;
  WithMixtureFamilyNamed("poisson", [&]<class F>(std::type_identity<F>) {
    is_poisson = std::is_same_v<F, Poisson>;
  });
  EXPECT_TRUE(is_poisson);
}

TEST(ModelRegistry, AMixtureFamilyNotFoundByNameListsTheNames) {
  // The Gaussians are told apart by covariance structure too, so their name
  // alone does not pick a family.
  for (const char* name : {"gaussian", "student_t"}) {
    EXPECT_THROW(
        {
          try {
            WithMixtureFamilyNamed(name, [](auto) {});
          } catch (const InvalidOptionError& e) {
            EXPECT_EQ(std::string(e.what()),
                      std::string("no mixture family named \"") + name +
                          "\" (expected bernoulli, categorical, poisson or vmf)");
            throw;
          }
        },
        InvalidOptionError);
  }
}

TEST(ModelRegistry, AnUnknownKindNamesTheChoices) {
  MapParameters store;
  store.Text("model", "student_t_mixture");
  EXPECT_THROW(
      {
        try {
          (void)DecodeModel(store);
        } catch (const FileFormatError& e) {
          EXPECT_STREQ(e.what(), "map: unknown model student_t_mixture");
          throw;
        }
      },
      FileFormatError);
}

}  // namespace
}  // namespace emkit
