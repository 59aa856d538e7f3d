package stripetest

// page is a list endpoint's page (docs.stripe.com/api/pagination): of the
// objects that match, newest first, the first limit after the object
// startingAfter names ("" for the first page). has_more says whether more
// match beyond it. A list is ordered by creation, as Stripe's are, and the
// cursor is a position in that order, whether or not it matches itself.
func page[T any](st *state, objects map[string]*T, url string, limit int64, startingAfter string, matches func(*T) bool) list[T] {
	l := list[T]{Object: "list", Data: []*T{}, URL: url}
	started := startingAfter == ""
	for i := len(st.order) - 1; i >= 0; i-- {
		id := st.order[i]
		if !started {
			started = id == startingAfter
			continue
		}
		obj, ok := objects[id]
		if !ok || !matches(obj) {
			continue
		}
		if int64(len(l.Data)) == limit {
			l.HasMore = true
			break
		}
		l.Data = append(l.Data, obj)
	}
	return l
}
