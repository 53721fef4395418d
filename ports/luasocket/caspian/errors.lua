-- Caspian exceptions: a class of CONFORMANCE.md, a message naming host:port or the argument, and
-- an optional reason. Raised with error(table) and turned into driver answers by the driver.

local M = {}

local Exception = {}
Exception.__index = Exception
Exception.__tostring = function(e) return e.class .. ": " .. e.message end

function M.raise(class, message, reason)
  error(setmetatable({ class = class, message = message, reason = reason }, Exception), 0)
end

function M.is(e)
  return getmetatable(e) == Exception
end

function M.argument(name, what)
  M.raise("ArgumentError", string.format("argument %s: %s", name, what))
end

return M
