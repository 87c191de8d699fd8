from bouwregie.cli import main

main()
