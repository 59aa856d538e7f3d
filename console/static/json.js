// JSON a person types into a form, for the pages that edit policies and
// payload templates.
import { ApiError } from "./ui.js";

// jsonField reads a form's field as JSON. Text that does not parse is
// refused as the API refuses a bad value: INVALID, naming the field.
export function jsonField(form, name) {
  try {
    return JSON.parse(form.get(name));
  } catch (err) {
    throw new ApiError(400, { code: "INVALID", message: `not JSON: ${err.message}`, field: name });
  }
}

// pretty is JSON laid out for a textarea.
export function pretty(value) {
  return JSON.stringify(value, null, 2);
}
