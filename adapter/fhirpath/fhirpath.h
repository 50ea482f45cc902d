// The FHIRPath engine's public surface: include this header.
//
// Expression (expression.h) parses and evaluates; Node/Collection (node.h) are its items;
// Environment (environment.h) and TypeProvider (type_provider.h) supply what an expression may
// see; errors.h has the two exception types; resourceNode() wraps a parsed resource.
#pragma once

#include "fhirpath/environment.h"
#include "fhirpath/errors.h"
#include "fhirpath/expression.h"
#include "fhirpath/node.h"
#include "fhirpath/type_provider.h"
