package topology

import (
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// ports hands out the topology's ports: each once, so that stacks started
// side by side never race for one, and all below the kernel's ephemeral
// range (32768 and up), so that no outgoing connection holds one either.
// Below 32768 also because Temporal's SQL schema keeps membership ports
// as smallint.
var ports struct {
	sync.Mutex
	next int
}

const firstPort, lastPort = 20000, 32767

// freePorts finds n ports free on loopback.
func freePorts(n int) ([]int, error) {
	ports.Lock()
	defer ports.Unlock()
	if ports.next == 0 {
		// Apart from another harness's, in another test binary.
		ports.next = firstPort + rand.IntN(lastPort-firstPort)
	}
	var found []int
	for tries := 0; len(found) < n; tries++ {
		if tries > lastPort-firstPort {
			return nil, errors.New("topology: no free ports left")
		}
		port := ports.next
		ports.next++
		if ports.next > lastPort {
			ports.next = firstPort
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		_ = l.Close()
		found = append(found, port)
	}
	return found, nil
}
