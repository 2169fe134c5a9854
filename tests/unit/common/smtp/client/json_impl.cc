// Boost.JSON is header-only when its implementation is compiled into exactly one TU.
#include <boost/json/src.hpp>
