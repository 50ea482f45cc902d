#include "fhir/snapshot.h"

#include <stdexcept>

namespace sp::fhir {
namespace {

class SnapshotBuilder {
 public:
  SnapshotBuilder(const StructureDefinition& base, const TypeDefinitionLookup& types)
      : types_(types) {
    for (const auto& e : base.elements()) elements_.push_back(copyOf(e));
  }

  void apply(const ElementDefinition& diff) {
    ElementDefinition* target = find(diff.id);
    if (!target) target = create(diff);
    merge(*target, diff);
  }

  std::vector<ElementDefinition> take() { return std::move(elements_); }

 private:
  static ElementDefinition copyOf(const ElementDefinition& e) { return e; }

  static ElementDefinition placeholder(const std::string& id) {
    ElementDefinition e;
    e.id = id;
    return e;
  }

  ElementDefinition* find(const std::string& id) {
    for (auto& e : elements_) {
      if (e.id == id) return &e;
    }
    return nullptr;
  }

  bool hasChildren(const std::string& id) const {
    for (const auto& e : elements_) {
      if (e.id.size() > id.size() && e.id.compare(0, id.size(), id) == 0 &&
          e.id[id.size()] == '.') {
        return true;
      }
    }
    return false;
  }

  // Makes the element `id` exist: a slice of an existing element, or a child reached through
  // a data type whose elements are copied in from the type's definition.
  ElementDefinition* create(const ElementDefinition& diff) {
    const std::string& id = diff.id;
    const auto dot = id.rfind('.');
    const auto colon = id.rfind(':');
    if (colon != std::string::npos && (dot == std::string::npos || colon > dot)) {
      const std::string slicedId = id.substr(0, colon);
      ElementDefinition* sliced = find(slicedId);
      if (!sliced) sliced = create(placeholder(slicedId));
      ElementDefinition slice = *sliced;
      slice.id = id;
      slice.sliceName = id.substr(colon + 1);
      slice.min = 0;
      slice.constraints.clear();
      elements_.push_back(std::move(slice));
      return &elements_.back();
    }
    if (dot == std::string::npos) throw std::runtime_error("no element " + id + " in the base");
    const std::string parentId = id.substr(0, dot);
    ElementDefinition* parent = find(parentId);
    if (!parent) parent = create(placeholder(parentId));
    if (!hasChildren(parentId)) expandType(*parent);  // may move elements: parent is stale after
    ElementDefinition* child = find(id);
    if (!child) throw std::runtime_error("no element " + id + " in the base");
    return child;
  }

  void expandType(const ElementDefinition& parent) {
    if (parent.types.size() != 1) {
      throw std::runtime_error("cannot reach into " + parent.id + ": it has no single type");
    }
    const StructureDefinition* typeSd = types_(parent.types.front().code);
    if (!typeSd) throw std::runtime_error("unknown type " + parent.types.front().code);
    const std::string parentId = parent.id;
    const std::string parentPath = parent.path;
    for (const auto& e : typeSd->elements()) {
      if (e.id == typeSd->root().id) continue;
      ElementDefinition copy = e;
      copy.id = parentId + e.id.substr(typeSd->root().id.size());
      copy.path = parentPath + e.path.substr(typeSd->root().path.size());
      elements_.push_back(std::move(copy));
    }
  }

  static void merge(ElementDefinition& target, const ElementDefinition& diff) {
    if (diff.hasMin) target.min = diff.min;
    if (diff.hasMax) target.max = diff.max;
    if (!diff.types.empty()) target.types = diff.types;
    if (!diff.binding.valueSet.empty()) target.binding = diff.binding;
    for (const auto& c : diff.constraints) target.constraints.push_back(c);
    if (diff.fixed) target.fixed = diff.fixed;
    if (diff.pattern) target.pattern = diff.pattern;
  }

  const TypeDefinitionLookup& types_;
  std::vector<ElementDefinition> elements_;
};

}  // namespace

std::vector<ElementDefinition> generateSnapshot(const StructureDefinition& base,
                                                const std::vector<ElementDefinition>& differential,
                                                const TypeDefinitionLookup& typeDefinition) {
  SnapshotBuilder builder(base, typeDefinition);
  for (const auto& diff : differential) builder.apply(diff);
  return builder.take();
}

}  // namespace sp::fhir
