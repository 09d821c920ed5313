package recipe_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore/memstore"
)

func ExampleCounter() {
	srv := memstore.NewServer() // or livestore.Open for a real ZooKeeper
	defer srv.Close()
	ctx := context.Background()
	hits := recipe.NewCounter(srv.Connect(), "/stats/hits")

	n, err := hits.Add(ctx, 5) // conflicts with other writers are retried
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after Add(5):", n)
	ok, _ := hits.CompareAndSet(ctx, 5, 10)
	fmt.Println("CompareAndSet(5, 10):", ok)
	ok, _ = hits.CompareAndSet(ctx, 5, 20) // stale: the counter holds 10
	fmt.Println("CompareAndSet(5, 20):", ok)
	n, _ = hits.Get(ctx)
	fmt.Println("Get:", n)
	// Output:
	// after Add(5): 5
	// CompareAndSet(5, 10): true
	// CompareAndSet(5, 20): false
	// Get: 10
}
