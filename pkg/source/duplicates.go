package source

import (
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// An object read again replaces the one read before (the later wins, as
// with kubectl apply, and a warning names both). The earlier copies are
// not dropped as each new one comes, which scanned the object's list per
// copy: an input given twice (`-f dump.json -f dump.json`, or a dump and a
// second one that shares its RBAC) took time in the square of its size.
// Instead the decoder counts, per key, how many objects to drop, and drops
// them in one pass over each list when the input is read (dropEarlier).

// seenObject is what the decoder knows of a key it has read: where, and how
// many objects its reads have added to their list so far.
type seenObject struct {
	src   model.Source
	added int
}

// seenUndo is one change to seen and drops, for a rollback of the fast path.
type seenUndo struct {
	key     string
	prev    seenObject
	existed bool
	drops   int // drops[key] before the change
}

// beginRead starts the read of an object of key: when the key was read
// before, every object its reads added so far is to be dropped (the later
// wins), and prev is where it was read. What the read changes in seen and
// drops is logged for a rollback before it is made: a read that fails is
// undone with it.
func (d *decoder) beginRead(key string) (prev model.Source, again bool) {
	seen, again := d.seen[key]
	if d.seenLog != nil {
		d.seenLog = append(d.seenLog, seenUndo{key: key, prev: seen, existed: again, drops: d.drops[key]})
	}
	if again {
		d.drops[key] = seen.added
	}
	return seen.src, again
}

// endRead records the read of key from src that beginRead began (seen is
// as it was then); added: it added an object to its list.
func (d *decoder) endRead(key string, src model.Source, added bool) {
	o := seenObject{src: src, added: d.seen[key].added}
	if added {
		o.added++
	}
	d.seen[key] = o
}

// rollback undoes the changes seenLog records, newest first.
func (d *decoder) rollback() {
	for i := len(d.seenLog) - 1; i >= 0; i-- {
		u := d.seenLog[i]
		if u.existed {
			d.seen[u.key] = u.prev
		} else {
			delete(d.seen, u.key)
		}
		if u.drops > 0 {
			d.drops[u.key] = u.drops
		} else {
			delete(d.drops, u.key)
		}
	}
}

// dropEarlier drops, from each list, the first drops[key] objects of each
// key: the copies read before the last read of that key.
func dropEarlier(inv *model.Inventory, drops map[string]int) {
	if len(drops) == 0 {
		return
	}
	for _, l := range inventoryLists {
		l.dropFirst(inv, drops)
	}
}
