-- One database per service: each owns its data (DESIGN.md §3).
CREATE DATABASE visitation OWNER afregning;
CREATE DATABASE settlement OWNER afregning;
CREATE DATABASE budget OWNER afregning;
