package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore/memstore"
)

func ExampleQueue_Consume() {
	srv := memstore.NewServer()
	defer srv.Close()
	ctx := context.Background()
	jobs := recipe.NewQueue(srv.Connect(), "/jobs")
	for _, job := range []string{"resize a.png", "resize b.png", "resize c.png"} {
		if _, err := jobs.Put(ctx, []byte(job)); err != nil {
			log.Fatal(err)
		}
	}

	cctx, stop := context.WithCancel(ctx)
	items, done := make(chan recipe.Item), make(chan error, 1) // unbuffered
	go func() { done <- jobs.Consume(cctx, items) }()
	shutdown := time.After(time.Hour) // say, a signal
	for range 2 {
		select {
		case item := <-items:
			fmt.Println("doing", string(item.Data))
		case <-shutdown:
		}
	}
	stop() // the item Consume holds for the next receive goes back to the head
	if err := <-done; !errors.Is(err, context.Canceled) {
		log.Fatal(err) // a *recipe.TakeUnknownError would carry the item
	}
	n, _ := jobs.Len(ctx)
	fmt.Println("left in the queue:", n)
	// Output:
	// doing resize a.png
	// doing resize b.png
	// left in the queue: 1
}
