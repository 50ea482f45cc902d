#include <gtest/gtest.h>

#include "store/search_request.h"

namespace sp::store {
namespace {

TEST(TypesReadBy, ATypeSearchReadsItsTypeAndTheTypesItChainsTo) {
  SearchRequest r;
  r.types = {"Task"};
  SearchCriterion owner;
  owner.param = "owner";
  r.criteria.push_back(owner);
  EXPECT_EQ(*typesReadBy(r), (std::set<std::string>{"Task"}));
  SearchCriterion chain;
  chain.param = "focus";
  chain.chainType = "ServiceRequest";
  chain.chained = std::make_shared<SearchCriterion>();
  chain.chained->param = "subject";
  chain.chained->chainType = "Patient";
  chain.chained->chained = std::make_shared<SearchCriterion>();
  r.criteria.push_back(chain);
  SearchCriterion has;
  has.hasType = "Communication";
  has.hasParam = "about";
  has.chained = std::make_shared<SearchCriterion>();
  r.criteria.push_back(has);
  EXPECT_EQ(*typesReadBy(r),
            (std::set<std::string>{"Communication", "Patient", "ServiceRequest", "Task"}));
}

TEST(TypesReadBy, AnySearchOfAllTypesOrWithIncludesMayReadAnything) {
  SearchRequest all;
  EXPECT_FALSE(typesReadBy(all).has_value());
  SearchRequest withInclude;
  withInclude.types = {"Task"};
  withInclude.includes.push_back(IncludeSpec{});
  EXPECT_FALSE(typesReadBy(withInclude).has_value());
  SearchRequest untypedChain;
  untypedChain.types = {"Task"};
  SearchCriterion c;
  c.chained = std::make_shared<SearchCriterion>();
  untypedChain.criteria.push_back(c);
  EXPECT_FALSE(typesReadBy(untypedChain).has_value());
}

}  // namespace
}  // namespace sp::store
